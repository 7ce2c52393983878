"""``sqllint``: lint .sql files, folders, ZIPs or stdin through the service; ``sqllint top``: watch it.

It finds the user's SQLFluff configuration and ``.sqlfluffignore`` as
``sqlfluff`` does, submits one job per distinct configuration, follows each
(a progress bar on a terminal only), writes the report in the chosen format,
and exits 0 when clean, 1 when violations are over the policy, 2 on a usage
error, a refused configuration, a file that could not be linted or a
service failure. ``--fix`` writes SQLFluff's fixes back and ``--diff`` prints
them as a patch (client/fixing.py).

``top`` is a command only as the very first argument, so every way of naming
a path keeps linting it: a file or folder literally named ``top`` is linted
with ``sqllint ./top`` or ``sqllint -- top`` (or with any option first).
"""

import argparse
import importlib
import os
import sys
import tempfile
from pathlib import Path

from client import fixing, output
from client.args import DEFAULT_URL, add_api_key, parse_args
from client.http import ApiClient, ApiError, TransportError
from client.plan import Job, Planner, UsageError
from client.report import EXIT_CLEAN, EXIT_FAILURE, exit_code
from client.sqlfluff_config import ConfigFileError
from client.submit import run_job


def parse_top_args(argv: list[str]) -> argparse.Namespace:
    """The command line of ``sqllint top`` (the arguments after ``top``)."""
    parser = argparse.ArgumentParser(prog="sqllint top", description="a live view of the service's workers")
    parser.add_argument("--url", default=os.environ.get("SQLLINT_URL", DEFAULT_URL), help="service base URL")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes (default: 2)")
    add_api_key(parser)  # the views need an operator's key (or OPERATOR_TOKEN) when keys are required
    args = parser.parse_args(argv)
    if args.interval <= 0:
        parser.error("--interval must be positive")
    return args


def top(argv: list[str]) -> int:
    """Run the dashboard until ``q``."""
    args = parse_top_args(argv)
    # Loaded only for `top`: textual would double the start time of every `sqllint PATH` in CI.
    dashboard = importlib.import_module("client.top.app")
    return int(dashboard.run(args.url, args.interval, args.api_key))


def plan_jobs(args: argparse.Namespace, workdir: Path) -> list[Job]:
    """The jobs the command line asks for; stdin becomes a file named after ``--stdin-filename``."""
    planner = Planner(Path.cwd(), Path(os.path.expanduser("~")), args.config)
    if args.paths != ["-"]:
        return planner.plan(args.paths)
    display = args.stdin_filename or "stdin"
    name = Path(display).name if display.lower().endswith(".sql") else f"{Path(display).name}.sql"
    target = workdir / "stdin" / name
    target.parent.mkdir()
    # Bytes as they come: the service keeps line endings and BOMs, and `--fix -` gives them back.
    target.write_bytes(sys.stdin.buffer.read())
    return [Job(planner.config(Path(display)), files=[(display, target)])]


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Every job, one report, the exit status of the whole; ``--fix`` and ``--diff`` go their own way."""
    api = ApiClient(args.url, api_key=args.api_key)
    jobs = plan_jobs(args, workdir)
    if args.fix or args.diff:
        return fixing.run(args, api, jobs, workdir)
    finals, records = [], []
    for job in jobs:
        done = run_job(args, api, job, workdir)
        finals.append(done.final)
        records.extend(done.records)
    output.publish(args, records, finals, stdout=True)
    if not finals:
        return EXIT_CLEAN
    return exit_code(output.final_status(finals), records, args.fail_on, args.max_violations)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``sqllint``; the console-script wrapper exits with the returned status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["top"]:
        return top(argv[1:])
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="sqllint-") as tmp:
            return run(args, Path(tmp))
    except (UsageError, ConfigFileError, ApiError, TransportError, OSError) as exc:
        print(f"sqllint: {exc}", file=sys.stderr)
    return EXIT_FAILURE
