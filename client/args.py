"""The command line of ``sqllint``: paths or stdin, options of the job, of the report and of the exit.

Kept apart from the command so it is tested without a server; argparse's own
usage errors exit 2, the same status as any other usage error.
"""

import argparse
import os
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8080"
FORMATS = ("human", "json", "sarif", "junit", "github", "gitlab", "checkstyle")
FAIL_ON = ("error", "warning", "never")
EPILOG = """exit status: 0 clean, 1 violations over the policy (--fail-on, --max-violations),
2 usage error, refused configuration, a file that could not be linted, or the service failing.
--fix: the policy applies to what remains after fixing. --diff: 1 when anything would change.
SQLFluff configuration (.sqlfluff, setup.cfg, tox.ini, pep8.ini, pyproject.toml) and .sqlfluffignore
are found as sqlfluff finds them. `sqllint top` shows the service's workers live."""


def _report(text: str) -> tuple[str, Path]:
    fmt, sep, path = text.partition("=")
    if not sep or not path or fmt not in FORMATS:
        raise argparse.ArgumentTypeError(f"expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}")
    return fmt, Path(path)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_api_key(p: argparse.ArgumentParser) -> None:
    """``--api-key``, defaulting to ``SQLLINT_API_KEY``: the variable keeps the key out of ``ps``."""
    p.add_argument("--api-key", default=os.environ.get("SQLLINT_API_KEY") or None, metavar="KEY",
                   help="API key sent as Authorization: Bearer (default: $SQLLINT_API_KEY, which ps "
                   "does not show); none is needed when the service runs with AUTH_REQUIRED=false")


def parser() -> argparse.ArgumentParser:
    """All options; ``PATH`` may be repeated, ``-`` reads SQL from stdin."""
    p = argparse.ArgumentParser(
        prog="sqllint",
        description="Lint SQL through the sqllint service, as `sqlfluff lint` would.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".sql files, folders, ZIPs, or - for stdin")
    p.add_argument("--stdin-filename", help="the name (and place, for config lookup) of the SQL read from -")
    p.add_argument("--url", default=os.environ.get("SQLLINT_URL", DEFAULT_URL), help="service base URL")
    add_api_key(p)
    p.add_argument("--dialect", help="SQLFluff dialect (default: the config's, else ansi)")
    p.add_argument("--rules", help="comma-separated rule codes to apply")
    p.add_argument("--exclude-rules", help="comma-separated rule codes to skip")
    p.add_argument("--config", type=Path, help="an extra .sqlfluff file, applied last as sqlfluff --config")
    p.add_argument("--format", choices=FORMATS, default="human", help="report format (default: human)")
    p.add_argument("--output", type=Path, help="write the report to FILE (the summary still goes to stderr)")
    p.add_argument("--report", type=_report, action="append", default=[], metavar="FORMAT=FILE",
                   help="also write FORMAT to FILE (repeatable: one lint, several reports)")
    p.add_argument("--fail-on", choices=FAIL_ON, default="warning",
                   help="which violations fail: warning (any), error (not warnings), never")
    p.add_argument("--max-violations", type=_count, default=0, metavar="N",
                   help="exit 1 only when more than N violations count (default: 0)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--fix", action="store_true",
                      help="write SQLFluff's fixes back to the files (stdin: print the fixed SQL)")
    mode.add_argument("--diff", action="store_true",
                      help="print the fixes as one unified diff and write nothing; exit 1 when there is any")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the jobs")
    p.add_argument("--poll-interval", type=float, default=0.5, help=argparse.SUPPRESS)
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The parsed command line; usage errors exit 2 with argparse's message."""
    p = parser()
    args = p.parse_args(argv)
    if "-" in args.paths and len(args.paths) > 1:
        p.error("- (stdin) cannot be combined with other paths")
    if args.stdin_filename and args.paths != ["-"]:
        p.error("--stdin-filename needs - as the path")
    if args.config is not None and not args.config.is_file():
        p.error(f"--config {args.config}: no such file")
    return args
