"""The JSON shapes of jobs and tasks, from table rows (or an accepted event).

Timestamps are stored as naive UTC and rendered as ISO 8601 with ``Z``.
"""

from datetime import UTC, datetime
from typing import Any

from schemas.events import JobSubmitted
from schemas.statuses import JobStatus

Row = dict[str, Any]


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC text of a stored timestamp."""
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


def error_view(code: str | None, message: str | None) -> dict[str, str] | None:
    """The error object of a failed job or task, or null."""
    if code is None:
        return None
    return {"code": code, "message": message or ""}


def job_view(row: Row) -> dict[str, Any]:
    """A job's status and tallies."""
    return {
        "job_id": row["job_id"],
        "job_status": row["status"],
        "submission_type": row["submission_type"],
        "file_name": row["source_name"],
        "task_count": row["task_count"],
        "tasks_succeeded": row["tasks_succeeded"] or 0,
        "tasks_failed": row["tasks_failed"] or 0,
        "violation_count": row["violation_count"] or 0,
        "error": error_view(row["error_code"], row["error_message"]),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "finished_at": iso(row["finished_at"]),
    }


def accepted_view(job: JobSubmitted) -> dict[str, Any]:
    """A job known only from its accepted event (its row is not written yet)."""
    at = iso(job.submitted_at)
    return {
        "job_id": str(job.job_id),
        "job_status": JobStatus.ACCEPTED.value,
        "submission_type": job.submission_type.value,
        "file_name": job.file_name,
        "task_count": None,
        "tasks_succeeded": 0,
        "tasks_failed": 0,
        "violation_count": 0,
        "error": None,
        "created_at": at,
        "updated_at": at,
        "finished_at": None,
    }


def task_view(row: Row) -> dict[str, Any]:
    """One file's task status."""
    return {
        "task_id": row["task_id"],
        "ordinal": row["ordinal"],
        "file_name": row["file_name"],
        "task_status": row["status"],
        "violation_count": row["violation_count"],
        "error": error_view(row["error_code"], row["error_message"]),
        "created_at": iso(row["created_at"]),
        "started_at": iso(row["started_at"]),
        "finished_at": iso(row["finished_at"]),
        "updated_at": iso(row["updated_at"]),
    }
