"""The JSON shapes the API answers with: an accepted job, a job, a task.

Each is built through its model of ``schemas.http``, the models the OpenAPI
document is generated from, so an answer cannot carry a key or a type the
document does not; timestamps are stored as naive UTC and rendered as ISO 8601
with ``Z`` by the models.
"""

from typing import Any

from ingest.errors import RequestRejectedError
from schemas.error_codes import ErrorCode
from schemas.http import CallbackView, Failure, JobAccepted, JobView, TaskView

Row = dict[str, Any]

__all__ = ["JobAccepted", "Row", "error_view", "job_view", "not_found", "task_view"]
_NOT_FOUND = {ErrorCode.JOB_NOT_FOUND: "no such job", ErrorCode.TASK_NOT_FOUND: "no such task"}


def not_found(code: ErrorCode) -> RequestRejectedError:
    """The answer for an unknown id and for another tenant's, byte for byte the same.

    The message names neither the id nor an owner, so the two cannot be told
    apart by anything in the body (the client knows the id it asked for).
    """
    return RequestRejectedError(code, _NOT_FOUND[code])


def error_view(code: str | None, message: str | None) -> Failure | None:
    """The error of a failed job or task, or null."""
    if code is None:
        return None
    return Failure(code=code, message=message or "")


def callback_view(row: Row) -> CallbackView | None:
    """The job's callback and its delivery; WAITING (no delivery row) until the job ends."""
    if row.get("callback_url") is None:
        return None
    return CallbackView(
        url=row["callback_url"],
        state=row.get("callback_state") or "WAITING",
        attempts=row.get("callback_attempts") or 0,
        last_attempt_at=row.get("callback_last_attempt_at"),
        last_status_code=row.get("callback_last_status_code"),
        last_error=row.get("callback_last_error"),
        delivered_at=row.get("callback_delivered_at"),
    )


def job_view(row: Row) -> dict[str, Any]:
    """A job's status and tallies."""
    return JobView(
        job_id=row["job_id"],
        job_status=row["status"],
        submission_type=row["submission_type"],
        file_name=row["source_name"],
        task_count=row["task_count"],
        tasks_succeeded=row["tasks_succeeded"] or 0,
        tasks_failed=row["tasks_failed"] or 0,
        violation_count=row["violation_count"] or 0,
        error=error_view(row["error_code"], row["error_message"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        callback=callback_view(row),
        tenant=row["tenant"],
    ).model_dump(mode="json")


def task_view(row: Row) -> dict[str, Any]:
    """One file's task status."""
    return TaskView(
        task_id=row["task_id"],
        ordinal=row["ordinal"],
        file_name=row["file_name"],
        task_status=row["status"],
        violation_count=row["violation_count"],
        error=error_view(row["error_code"], row["error_message"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        updated_at=row["updated_at"],
    ).model_dump(mode="json")
