"""``python -m harness run``: the whole stack in the foreground (what ``make run`` does)."""

import argparse
import sys
from pathlib import Path

from harness import run


def main(argv: list[str] | None = None) -> int:
    """One command today; a subcommand keeps room for more without changing this one."""
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__)
    parser.add_argument("command", choices=["run"], help="run: ingest, processors and sink until Ctrl-C")
    parser.add_argument("--log-dir", type=Path, default=None, help="where <service>.log go (var/log)")
    args = parser.parse_args(argv)
    return run.main(args.log_dir.resolve() if args.log_dir else None)


if __name__ == "__main__":
    sys.exit(main())
