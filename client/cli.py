"""``sqllint``: lint .sql files, folders, ZIPs or stdin through the service; ``sqllint top``: watch it.

It finds the user's SQLFluff configuration and ``.sqlfluffignore`` as
``sqlfluff`` does, submits one job per distinct configuration, follows each
(a progress bar on a terminal only), writes the report in the chosen format,
and exits 0 when clean, 1 when violations are over the policy, 2 on a usage
error, a refused configuration, a file that could not be linted or a
service failure.

``top`` is a command only as the very first argument, so every way of naming
a path keeps linting it: a file or folder literally named ``top`` is linted
with ``sqllint ./top`` or ``sqllint -- top`` (or with any option first).
"""

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from client import output
from client.args import DEFAULT_URL, parse_args
from client.follow import Follower
from client.http import ApiClient, ApiError, TransportError
from client.job_config import explain_refusal
from client.plan import Job, Planner, UsageError
from client.report import EXIT_CLEAN, EXIT_FAILURE, Record, exit_code, summary
from client.sqlfluff_config import ConfigFileError
from schemas.statuses import JobStatus

CONFIG_REFUSALS = frozenset(
    {"INVALID_CONFIG", "CONFIG_TOO_LARGE", "FORBIDDEN_CONFIG_SECTION", "FORBIDDEN_CONFIG_KEY",
     "FORBIDDEN_CONFIG_VALUE"}
)


def parse_top_args(argv: list[str]) -> argparse.Namespace:
    """The command line of ``sqllint top`` (the arguments after ``top``)."""
    parser = argparse.ArgumentParser(prog="sqllint top", description="a live view of the service's workers")
    parser.add_argument("--url", default=os.environ.get("SQLLINT_URL", DEFAULT_URL), help="service base URL")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes (default: 2)")
    args = parser.parse_args(argv)
    if args.interval <= 0:
        parser.error("--interval must be positive")
    return args


def top(argv: list[str]) -> int:
    """Run the dashboard until ``q``."""
    args = parse_top_args(argv)
    # Loaded only for `top`: textual would double the start time of every `sqllint PATH` in CI.
    dashboard = importlib.import_module("client.top.app")
    return int(dashboard.run(args.url, args.interval))


def show_progress() -> bool:
    """A bar for a person at a terminal; none in CI logs or when stderr is a file."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def plan_jobs(args: argparse.Namespace, workdir: Path) -> list[Job]:
    """The jobs the command line asks for; stdin becomes a file named after ``--stdin-filename``."""
    planner = Planner(Path.cwd(), Path(os.path.expanduser("~")), args.config)
    if args.paths != ["-"]:
        return planner.plan(args.paths)
    display = args.stdin_filename or "stdin"
    name = Path(display).name if display.lower().endswith(".sql") else f"{Path(display).name}.sql"
    target = workdir / "stdin" / name
    target.parent.mkdir()
    target.write_text(sys.stdin.read(), encoding="utf-8")
    return [Job(planner.config(Path(display)), files=[(display, target)])]


def fields(args: argparse.Namespace, job: Job) -> dict[str, str]:
    """The form fields of one submission: the command's options beat the discovered config."""
    values = {
        "dialect": args.dialect or job.config.dialect,
        "rules": args.rules,
        "exclude_rules": args.exclude_rules,
        "config": job.config.text,
    }
    return {key: value for key, value in values.items() if value}


def run_job(
    args: argparse.Namespace, api: ApiClient, job: Job, workdir: Path
) -> tuple[dict[str, Any], list[Record]]:
    """Submit one job, follow it, and return its final status and records (user paths)."""
    upload, paths = job.upload(workdir)
    try:
        accepted = api.submit(upload, fields(args, job))
    except ApiError as exc:
        if exc.code in CONFIG_REFUSALS:
            raise ApiError(exc.status, exc.code, explain_refusal(str(exc), job.config.layer)) from exc
        raise
    job_id = accepted["job_id"]
    deadline = time.monotonic() + args.timeout
    with tqdm(desc=upload.name, unit="file", disable=not show_progress(), file=sys.stderr) as bar:
        final = Follower(api, bar, deadline, args.poll_interval).follow(job_id)
    records: list[Record] = api.get(f"/api/v1/jobs/{job_id}/results")
    return final, output.user_paths(records, paths)


def run(args: argparse.Namespace, workdir: Path) -> int:
    """Every job, one report, the exit status of the whole."""
    api = ApiClient(args.url)
    finals, records = [], []
    for job in plan_jobs(args, workdir):
        final, job_records = run_job(args, api, job, workdir)
        finals.append(final)
        records.extend(job_records)
    output.write(output.render(args.format, records), args.output)
    for fmt, path in args.report:
        output.write(output.render(fmt, records), path)
    if args.output is not None or args.format != "human" or args.report:
        print(summary(records), file=sys.stderr)
    for line in output.job_errors(finals):
        print(line, file=sys.stderr)
    statuses = [f["job_status"] for f in finals]
    status = JobStatus.FAILED if JobStatus.FAILED in statuses else JobStatus.COMPLETED
    return exit_code(status, records, args.fail_on, args.max_violations) if finals or records else EXIT_CLEAN


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
