"""Task ids and FAILURE results shared by the expand and lint steps."""

import importlib.metadata
from uuid import UUID, uuid5

from schemas.events import ErrorInfo, LintOptions, LintResult
from schemas.statuses import TaskStatus

SQLFLUFF_VERSION = importlib.metadata.version("sqlfluff")


def task_id_for(job_id: UUID, ordinal: int) -> UUID:
    """Deterministic, so a replayed expansion produces the same task ids (and no duplicates downstream)."""
    return uuid5(job_id, str(ordinal))


def failure_result(
    job_id: UUID,
    task_id: UUID,
    file_name: str,
    options: LintOptions,
    error: ErrorInfo,
    duration_ms: float = 0.0,
) -> LintResult:
    """A FAILURE result for a file that could not be linted."""
    return LintResult(
        job_id=job_id,
        task_id=task_id,
        file_name=file_name,
        status=TaskStatus.FAILURE,
        error=error,
        dialect=options.dialect,
        sqlfluff_version=SQLFLUFF_VERSION,
        duration_ms=duration_ms,
    )
