"""``sqllint``: lint a .sql file, a folder or a .zip through the service; ``sqllint top``: watch it.

Submits, follows the job (a progress bar of finished files for archives),
prints the findings and exits 0 when clean, 1 when violations were found, 2
when the job, a file or the transport failed.

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
import zipfile
from pathlib import Path
from typing import Any

from tqdm import tqdm

from client.http import ApiClient, ApiError, TransportError
from client.report import EXIT_FAILURE, exit_code, human_report, json_report
from schemas.statuses import JOB_FINAL

DEFAULT_URL = "http://127.0.0.1:8080"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="sqllint", description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, metavar="PATH", help="a .sql file, a folder or a .zip")
    parser.add_argument("--url", default=os.environ.get("SQLLINT_URL", DEFAULT_URL), help="service base URL")
    parser.add_argument("--dialect", help="SQLFluff dialect (default: ansi)")
    parser.add_argument("--rules", help="comma-separated rule codes to apply")
    parser.add_argument("--exclude-rules", help="comma-separated rule codes to skip")
    parser.add_argument("--config", type=Path, help="a .sqlfluff file (lint settings only)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the job")
    parser.add_argument("--poll-interval", type=float, default=0.5, help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=("human", "json"), default="human")
    return parser.parse_args(argv)


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


def zip_folder(folder: Path, target: Path) -> Path:
    """The folder's .sql files in an archive, with paths relative to the folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() == ".sql":
                zf.write(path, path.relative_to(folder).as_posix())
    return target


def option_fields(args: argparse.Namespace) -> dict[str, str]:
    """The form fields of the submission."""
    fields = {"dialect": args.dialect, "rules": args.rules, "exclude_rules": args.exclude_rules}
    if args.config is not None:
        fields["config"] = args.config.read_text(encoding="utf-8")
    return {key: value for key, value in fields.items() if value}


def wait_for_job(api: ApiClient, job_id: str, args: argparse.Namespace, show_bar: bool) -> dict[str, Any]:
    """Poll the job until it is final; raise TransportError when the timeout passes."""
    deadline = time.monotonic() + args.timeout
    with tqdm(desc="linting", unit="file", disable=not show_bar or None, file=sys.stderr) as bar:
        while True:
            job: dict[str, Any] = api.get(f"/api/v1/jobs/{job_id}?size=1")
            if job.get("task_count") is not None:
                bar.total = job["task_count"]
                bar.update(job["tasks_succeeded"] + job["tasks_failed"] - bar.n)
            if job["job_status"] in JOB_FINAL:
                return job
            if time.monotonic() > deadline:
                raise TransportError(f"job {job_id} not finished after {args.timeout:g}s")
            time.sleep(args.poll_interval)


def run(args: argparse.Namespace, upload: Path) -> int:
    """Submit ``upload``, wait, report; the exit code."""
    api = ApiClient(args.url)
    accepted = api.submit(upload, option_fields(args))
    job = wait_for_job(api, accepted["job_id"], args, show_bar=upload.suffix.lower() == ".zip")
    records: list[dict[str, Any]] = api.get(f"/api/v1/jobs/{accepted['job_id']}/results")
    print(json_report(records) if args.format == "json" else human_report(records))
    if job.get("error"):
        print(f"job {job['job_status']}: {job['error']['code']} {job['error']['message']}", file=sys.stderr)
    return exit_code(job["job_status"], records)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``sqllint``; the console-script wrapper exits with the returned status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["top"]:
        return top(argv[1:])
    args = parse_args(argv)
    path: Path = args.path
    try:
        if path.is_dir():
            with tempfile.TemporaryDirectory() as tmp:
                return run(args, zip_folder(path, Path(tmp) / f"{path.resolve().name or 'sql'}.zip"))
        if path.is_file() and path.suffix.lower() in {".sql", ".zip"}:
            return run(args, path)
        print(f"sqllint: {path} is not a .sql file, a .zip or a folder", file=sys.stderr)
    except (ApiError, TransportError, OSError) as exc:
        print(f"sqllint: {exc}", file=sys.stderr)
    return EXIT_FAILURE
