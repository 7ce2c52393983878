"""Ids, paths and FAILURE results shared by the expand and lint steps."""

import importlib.metadata
from pathlib import Path
from uuid import UUID, uuid5

from schemas.errors import LintServiceError
from schemas.events import ErrorInfo, LintOptions, LintResult
from schemas.statuses import TaskStatus

SQLFLUFF_VERSION = importlib.metadata.version("sqlfluff")


class UnsafePathError(LintServiceError):
    """A ``storage_path`` from an event points outside the storage root."""

    code = "UNSAFE_PATH"


def task_id_for(job_id: UUID, ordinal: int) -> UUID:
    """Deterministic, so a replayed expansion produces the same task ids (and no duplicates downstream)."""
    return uuid5(job_id, str(ordinal))


def task_file_relpath(job_id: UUID, task_id: UUID) -> str:
    """Where a large member is extracted: named by ids we made, never by the archive's names."""
    return f"jobs/{job_id}/tasks/{task_id}.sql"


def resolve_storage(root: Path, storage_path: str) -> Path:
    """Absolute path of ``storage_path`` under ``root``; refuses anything that escapes it.

    The jobs topic is public, so a producer could name ``../../etc/passwd``.
    """
    base = root.resolve()
    path = (base / storage_path).resolve()
    if not path.is_relative_to(base) or path == base:
        raise UnsafePathError(f"storage_path {storage_path!r} is outside the storage root")
    return path


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
