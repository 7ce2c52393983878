"""The JSON shapes the API answers with: an accepted job, a job, a task.

Timestamps are stored as naive UTC and rendered as ISO 8601 with ``Z``.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from schemas.statuses import JobStatus, SubmissionType

Row = dict[str, Any]


class JobAccepted(BaseModel):
    """The 202 of POST /api/v1/jobs, kept as it was sent so a replay answers the same."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: UUID
    job_status: JobStatus = JobStatus.ACCEPTED
    submission_type: SubmissionType
    status_url: str


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


def task_view(row: Row) -> dict[str, Any]:
    """One file's task status."""
    return {
        "task_id": row["task_id"],
        "ordinal": row["ordinal"],
        "file_name": row["file_name"],
        "task_status": row["status"],
        "violation_count": row["violation_count"],
        "error": error_view(row["error_code"], row["error_message"]),
        "attempts": row["attempts"],
        "created_at": iso(row["created_at"]),
        "started_at": iso(row["started_at"]),
        "finished_at": iso(row["finished_at"]),
        "updated_at": iso(row["updated_at"]),
    }
