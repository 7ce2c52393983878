"""The report in the format asked for, with records pointing at the user's own paths.

The service names files as they sit in the uploaded archive; the command
maps them back to the paths ``sqlfluff lint`` would print, so a SARIF
location, a JUnit test case or a GitHub annotation opens the user's file.
Every format comes from the shared ``reports`` package, the same functions
behind the service's ``?format=``, so both print the same bytes.
"""

import sys
from argparse import Namespace
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import reports
from client.report import Record, summary
from schemas.statuses import JobStatus


def tool_version() -> str | None:
    """SQLFluff's version, as the ingest names it in SARIF's driver and JUnit's properties.

    The installed one: the client ships with the service's package, so the same
    pinned SQLFluff; the service does not publish the version its workers run.
    """
    try:
        return metadata.version("sqlfluff")
    except metadata.PackageNotFoundError:
        return None


def user_paths(records: Sequence[Record], paths: Mapping[str, str]) -> list[Record]:
    """The records with ``filepath`` replaced by the user's path where one is known."""
    return [{**r, "filepath": paths.get(r.get("filepath", ""), r.get("filepath"))} for r in records]


def render(fmt: str, records: Sequence[Record]) -> str:
    """The report text (no trailing newline needed; one is added when written)."""
    text: str = reports.render(fmt, list(records), tool_version=tool_version())
    return text


def write(text: str, output: Path | None) -> None:
    """To ``output``, or stdout."""
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def job_errors(jobs: Sequence[dict[str, Any]]) -> list[str]:
    """One line per job that ended with an error of its own (not a file's)."""
    return [
        f"job {job['job_status']}: {job['error']['code']} {job['error']['message']}"
        for job in jobs
        if job.get("error")
    ]


def publish(
    args: Namespace, records: Sequence[Record], finals: Sequence[dict[str, Any]], stdout: bool
) -> None:
    """The report where the command line asks (stdout only when ``stdout`` is free), the summary, job errors.

    ``--diff`` and ``sqllint --fix -`` keep stdout for the patch or the SQL,
    so their report is written only to ``--output`` and ``--report`` files.
    """
    if stdout or args.output is not None:
        write(render(args.format, records), args.output)
    for fmt, path in args.report:
        write(render(fmt, records), path)
    if not stdout or args.output is not None or args.format != "human" or args.report:
        print(summary(records), file=sys.stderr)
    for line in job_errors(finals):
        print(line, file=sys.stderr)


def final_status(finals: Sequence[dict[str, Any]]) -> str:
    """FAILED when any job failed, else COMPLETED: one status for the whole command."""
    failed = any(f["job_status"] == JobStatus.FAILED for f in finals)
    return JobStatus.FAILED if failed else JobStatus.COMPLETED
