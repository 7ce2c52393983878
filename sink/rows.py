"""Rows to upsert, derived from events: pure functions, no I/O.

Every event becomes a complete row for its table (one shape per table, so a
batch is one ``executemany``). Columns an event does not know carry markers
the upserts understand: ``submission_type == ""`` for a job row not yet
described by ``job.submitted`` (whose ``tenant`` is ``""`` meanwhile, so no
tenant lists or reads a job before its owner is known); ``file_name == ""`` and ``ordinal == -1`` for a
task row not yet described by ``task.created``. A ``job.submitted`` row is
the one the ingest writes too (:mod:`runtime.rows`), so a job shows the same
whichever of the two writers came first.
"""

import json
from datetime import datetime
from typing import Any

from runtime.rows import Row, naive_utc, submitted_job_row
from schemas import events as wire
from schemas.statuses import JobStatus, TaskStatus

UNKNOWN_ORDINAL = -1
UNKNOWN_SUBMISSION = ""
UNKNOWN_TENANT = ""


def placeholder_job_row(job_id: str, now: datetime) -> Row:
    """A job row that exists only so it can be locked; ``job.submitted`` describes it later."""
    return _job(job_id, JobStatus.ACCEPTED, now, now)


def _job(job_id: object, status: JobStatus, at: datetime, now: datetime, **known: Any) -> Row:
    row: Row = {
        "job_id": str(job_id),
        "submission_type": UNKNOWN_SUBMISSION,
        "status": status.value,
        "source_name": None,
        "options_json": "{}",
        "task_count": None,
        "tasks_succeeded": 0,
        "tasks_failed": 0,
        "violation_count": 0,
        "error_code": None,
        "error_message": None,
        "created_at": naive_utc(at),
        "updated_at": naive_utc(now),
        "finished_at": None,
        "callback_url": None,
        "tenant": UNKNOWN_TENANT,
    }
    row.update(known)
    return row


def job_row(event: wire.JobSubmitted | wire.JobExpanded | wire.JobRejected, now: datetime) -> Row:
    """The jobs row an event asks for (the upsert decides what of it to keep)."""
    match event:
        case wire.JobSubmitted():
            return submitted_job_row(event, now)
        case wire.JobExpanded():
            return _job(
                event.job_id, JobStatus.PROCESSING, event.expanded_at, now, task_count=event.task_count
            )
        case wire.JobRejected():
            return _job(
                event.job_id,
                JobStatus.FAILED,
                event.rejected_at,
                now,
                error_code=event.error.code,
                error_message=event.error.message,
                finished_at=naive_utc(event.rejected_at),
            )


def _task(task_id: object, job_id: object, status: TaskStatus, now: datetime, **known: Any) -> Row:
    row: Row = {
        "task_id": str(task_id),
        "job_id": str(job_id),
        "ordinal": UNKNOWN_ORDINAL,
        "file_name": "",
        "status": status.value,
        "violation_count": None,
        "result_json": None,
        "error_code": None,
        "error_message": None,
        "attempts": 1,
        "fixed": None,
        "fixed_sql": None,
        "fix_diff": None,
        "fixed_sql_path": None,
        "fix_diff_path": None,
        "created_at": naive_utc(now),
        "started_at": None,
        "finished_at": None,
        "updated_at": naive_utc(now),
    }
    row.update(known)
    return row


TaskEvent = wire.LintTask | wire.TaskRegistered | wire.TaskStarted | wire.TaskRetried | wire.LintResult


def task_row(event: TaskEvent, now: datetime) -> Row:
    """The tasks row an event asks for; the SQL text of a task is never stored."""
    match event:
        case wire.LintTask() | wire.TaskRegistered():
            return _task(
                event.task_id,
                event.job_id,
                TaskStatus.PENDING,
                now,
                ordinal=event.ordinal,
                file_name=event.file_name,
            )
        case wire.TaskStarted():
            return _task(
                event.task_id,
                event.job_id,
                TaskStatus.IN_PROGRESS,
                now,
                started_at=naive_utc(event.started_at),
            )
        case wire.TaskRetried():
            return _task(
                event.task_id,
                event.job_id,
                TaskStatus.IN_PROGRESS,
                now,
                attempts=event.attempt,
                started_at=naive_utc(event.retried_at),
            )
        case wire.LintResult():
            return _task(
                event.task_id,
                event.job_id,
                TaskStatus(event.status),
                now,
                file_name=event.file_name,
                violation_count=len(event.violations),
                result_json=json.dumps(result_record(event), ensure_ascii=False),
                error_code=event.error.code if event.error else None,
                error_message=event.error.message if event.error else None,
                finished_at=naive_utc(event.linted_at),
                **fix_columns(event.fix),
            )


def fix_columns(fix: wire.FixOutcome | None) -> dict[str, Any]:
    """The task's fix columns: all NULL when the job asked for none (or the file failed)."""
    if fix is None:
        return {}
    return {
        "fixed": fix.fixed,
        "fixed_sql": fix.fixed_sql,
        "fix_diff": fix.diff,
        "fixed_sql_path": fix.fixed_sql_path,
        "fix_diff_path": fix.diff_path,
    }


def result_record(result: wire.LintResult) -> dict[str, Any]:
    """The file's record in the shape of ``sqlfluff lint --format json`` (plus ``error`` on FAILURE)."""
    record: dict[str, Any] = {
        "filepath": result.file_name,
        "violations": [violation.model_dump(mode="json") for violation in result.violations],
    }
    if result.error is not None:
        record["error"] = result.error.model_dump(mode="json")
    return record
