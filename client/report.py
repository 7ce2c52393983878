"""The ``sqllint`` command's summary line and exit status, from the jobs' records.

Pure functions, so the exit-code policy is tested
without a server: 0 clean, 1 violations over the policy (``--fail-on``,
``--max-violations``), 2 when the job, a file or the service failed.
"""

from collections.abc import Sequence
from typing import Any

from schemas.statuses import JobStatus

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_FAILURE = 0, 1, 2
Record = dict[str, Any]


def summary(records: Sequence[Record]) -> str:
    """One line: files, violations, failed files."""
    violations = sum(len(r.get("violations", [])) for r in records)
    failed = sum(1 for r in records if r.get("error"))
    line = f"{len(records)} file(s) checked, {violations} violation(s)"
    return line + (f", {failed} file(s) failed" if failed else "")


def counted(records: Sequence[Record], fail_on: str = "warning") -> int:
    """The violations ``--fail-on`` counts: all (``warning``), non-warnings (``error``) or none."""
    if fail_on == "never":
        return 0
    return sum(
        1
        for record in records
        for violation in record.get("violations", [])
        if fail_on == "warning" or not violation.get("warning")
    )


def exit_code(
    job_status: str, records: Sequence[Record], fail_on: str = "warning", max_violations: int = 0
) -> int:
    """2 if the job or any file failed, else 1 if more than ``max_violations`` count, else 0.

    A file that could not be linted is a failure under every policy: a CI
    gate must not pass on SQL nobody checked.
    """
    if job_status == JobStatus.FAILED or any(r.get("error") for r in records):
        return EXIT_FAILURE
    if counted(records, fail_on) > max_violations:
        return EXIT_VIOLATIONS
    return EXIT_CLEAN
