"""Read queries of the API: plain functions of a Connection, run in a thread.

The sink owns these rows; the ingest only reads them (SQLAlchemy Core on the
shared ``runtime.tables``), so the query shapes stay in one place.
"""

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Select, and_, func, or_, select

from runtime.tables import jobs, tasks, webhook_deliveries
from schemas.statuses import JOB_FINAL, JobStatus

Row = dict[str, Any]
_TASK_COLUMNS = (
    tasks.c.task_id,
    tasks.c.ordinal,
    tasks.c.file_name,
    tasks.c.status,
    tasks.c.violation_count,
    tasks.c.error_code,
    tasks.c.error_message,
    tasks.c.attempts,
    tasks.c.created_at,
    tasks.c.started_at,
    tasks.c.finished_at,
    tasks.c.updated_at,
)
_JOB_COLUMNS = tuple(c for c in jobs.c if c.name != "options_json")
_DELIVERY = webhook_deliveries.c
# A job's callback delivery beside it (none until the job ends): the view's ``callback``.
_CALLBACK_COLUMNS = tuple(
    column.label(f"callback_{column.name}")
    for column in (
        _DELIVERY.state,
        _DELIVERY.attempts,
        _DELIVERY.last_attempt_at,
        _DELIVERY.last_status_code,
        _DELIVERY.last_error,
        _DELIVERY.delivered_at,
    )
)
_JOBS_AND_CALLBACKS = jobs.outerjoin(webhook_deliveries, _DELIVERY.job_id == jobs.c.job_id)


def _jobs_query() -> Select[Any]:
    return select(*_JOB_COLUMNS, *_CALLBACK_COLUMNS).select_from(_JOBS_AND_CALLBACKS)


def get_job(conn: Connection, job_id: UUID) -> Row | None:
    """One job's row, or None."""
    row = conn.execute(_jobs_query().where(jobs.c.job_id == str(job_id))).mappings().first()
    return dict(row) if row else None


def job_tasks_page(conn: Connection, job_id: UUID, offset: int, limit: int) -> list[Row]:
    """A page of one job's tasks in file order."""
    query = (
        select(*_TASK_COLUMNS)
        .where(tasks.c.job_id == str(job_id))
        .order_by(tasks.c.ordinal, tasks.c.task_id)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def list_jobs(
    conn: Connection, status: JobStatus | None, offset: int, limit: int
) -> tuple[list[Row], int]:
    """A page of jobs, newest first, and how many match in total."""
    where = jobs.c.status == status.value if status else None
    query = _jobs_query().order_by(jobs.c.created_at.desc(), jobs.c.job_id).offset(offset).limit(limit)
    count = select(func.count()).select_from(jobs)
    if where is not None:
        query, count = query.where(where), count.where(where)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    return rows, int(conn.execute(count).scalar_one())


def get_task(conn: Connection, task_id: UUID) -> Row | None:
    """One task's row with its job id and stored result, or None."""
    query = select(*_TASK_COLUMNS, tasks.c.job_id, tasks.c.result_json).where(tasks.c.task_id == str(task_id))
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def results_after(
    conn: Connection, job_id: UUID, after: tuple[int, str] | None, limit: int
) -> list[tuple[int, str, str | None]]:
    """The next ``limit`` (ordinal, task_id, result_json) of a job after a keyset position."""
    query = select(tasks.c.ordinal, tasks.c.task_id, tasks.c.result_json).where(
        tasks.c.job_id == str(job_id)
    )
    if after is not None:
        ordinal, task_id = after
        query = query.where(
            or_(tasks.c.ordinal > ordinal, and_(tasks.c.ordinal == ordinal, tasks.c.task_id > task_id))
        )
    query = query.order_by(tasks.c.ordinal, tasks.c.task_id).limit(limit)
    return [(r.ordinal, r.task_id, r.result_json) for r in conn.execute(query)]


def count_active_jobs(conn: Connection) -> int:
    """Jobs not yet final, counted on the status index."""
    active = [status.value for status in JobStatus if status not in JOB_FINAL]
    query = select(func.count()).select_from(jobs).where(jobs.c.status.in_(active))
    return int(conn.execute(query).scalar_one())
