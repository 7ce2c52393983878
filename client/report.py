"""What the ``sqllint`` command prints and how it exits, from the job's records.

Pure functions so the report format and the exit-code policy are tested
without a server: 0 clean, 1 violations over the policy (``--fail-on``,
``--max-violations``), 2 when the job, a file or the service failed.
"""

import json
from collections.abc import Sequence
from typing import Any

from schemas.statuses import JobStatus

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_FAILURE = 0, 1, 2
Record = dict[str, Any]


def _position(violation: Record) -> tuple[int, int]:
    line = violation.get("start_line_no", violation.get("line_no", 0)) or 0
    pos = violation.get("start_line_pos", violation.get("line_pos", 0)) or 0
    return int(line), int(pos)


def file_lines(record: Record) -> list[str]:
    """One file's findings as ``file:line:pos: CODE description``, in position order."""
    path = record.get("filepath", "?")
    lines = []
    error = record.get("error")
    if error:
        lines.append(f"{path}: ERROR {error.get('code', '?')} {error.get('message', '')}".rstrip())
    for violation in sorted(record.get("violations", []), key=_position):
        line, pos = _position(violation)
        lines.append(f"{path}:{line}:{pos}: {violation.get('code', '?')} {violation.get('description', '')}")
    return lines


def summary(records: Sequence[Record]) -> str:
    """One line: files, violations, failed files."""
    violations = sum(len(r.get("violations", [])) for r in records)
    failed = sum(1 for r in records if r.get("error"))
    line = f"{len(records)} file(s) checked, {violations} violation(s)"
    return line + (f", {failed} file(s) failed" if failed else "")


def human_report(records: Sequence[Record]) -> str:
    """Findings grouped per file (a blank line between files), then the summary line."""
    blocks = ["\n".join(lines) for lines in map(file_lines, records) if lines]
    return "\n\n".join([*blocks, summary(records)])


def json_report(records: Sequence[Record]) -> str:
    """The records as the server returned them (``sqlfluff lint --format json`` shape)."""
    return json.dumps(list(records), indent=2)


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
