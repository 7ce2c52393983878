"""Read queries of the API: plain functions of a Connection, run in a thread.

The sink owns these rows; the ingest only reads them (SQLAlchemy Core on the
shared ``runtime.tables``), so the query shapes stay in one place. Every
query of a job or task takes the caller's tenant as an argument of its own,
not an option, so none can forget it: ``None`` only for an admin, who reads
across tenants. A task is its job's tenant's (the tenant is on the job row),
so task queries join their job; another tenant's id finds nothing, exactly
as an unknown id does.
"""

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select, true

from runtime.tables import jobs, tasks, webhook_deliveries
from schemas.statuses import JOB_FINAL, JobStatus

Row = dict[str, Any]
Tenant = str | None  # whose objects a read may see; None: every tenant's (an admin)
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
TASKS_OF_JOBS = tasks.join(jobs, jobs.c.job_id == tasks.c.job_id)


def owned_by(tenant: Tenant) -> ColumnElement[bool]:
    """The condition that a job row is ``tenant``'s (always true for an admin's read)."""
    return true() if tenant is None else jobs.c.tenant == tenant


def _jobs_query() -> Select[Any]:
    return select(*_JOB_COLUMNS, *_CALLBACK_COLUMNS).select_from(_JOBS_AND_CALLBACKS)


def get_job(conn: Connection, job_id: UUID, tenant: Tenant) -> Row | None:
    """One job's row, or None (also when it is another tenant's)."""
    query = _jobs_query().where(jobs.c.job_id == str(job_id), owned_by(tenant))
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def job_tasks_page(conn: Connection, job_id: UUID, tenant: Tenant, offset: int, limit: int) -> list[Row]:
    """A page of one job's tasks in file order (none of another tenant's job)."""
    query = (
        select(*_TASK_COLUMNS)
        .select_from(TASKS_OF_JOBS)
        .where(tasks.c.job_id == str(job_id), owned_by(tenant))
        .order_by(tasks.c.ordinal, tasks.c.task_id)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def list_jobs(
    conn: Connection, tenant: Tenant, status: JobStatus | None, offset: int, limit: int
) -> tuple[list[Row], int]:
    """A page of ``tenant``'s jobs (everyone's for None), newest first, and how many match in total."""
    where = [owned_by(tenant)]
    if status is not None:
        where.append(jobs.c.status == status.value)
    query = _jobs_query().where(*where).order_by(jobs.c.created_at.desc(), jobs.c.job_id)
    rows = [dict(r) for r in conn.execute(query.offset(offset).limit(limit)).mappings()]
    count = select(func.count()).select_from(jobs).where(*where)
    return rows, int(conn.execute(count).scalar_one())


def get_task(conn: Connection, task_id: UUID, tenant: Tenant) -> Row | None:
    """One task's row with its job id and stored result, or None (also when its job is another tenant's)."""
    query = (
        select(*_TASK_COLUMNS, tasks.c.job_id, tasks.c.result_json)
        .select_from(TASKS_OF_JOBS)
        .where(tasks.c.task_id == str(task_id), owned_by(tenant))
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def results_after(
    conn: Connection, job_id: UUID, tenant: Tenant, after: tuple[int, str] | None, limit: int
) -> list[tuple[int, str, str | None]]:
    """The next ``limit`` (ordinal, task_id, result_json) of a job after a keyset position."""
    query = (
        select(tasks.c.ordinal, tasks.c.task_id, tasks.c.result_json)
        .select_from(TASKS_OF_JOBS)
        .where(tasks.c.job_id == str(job_id), owned_by(tenant))
    )
    if after is not None:
        ordinal, task_id = after
        query = query.where(
            or_(tasks.c.ordinal > ordinal, and_(tasks.c.ordinal == ordinal, tasks.c.task_id > task_id))
        )
    query = query.order_by(tasks.c.ordinal, tasks.c.task_id).limit(limit)
    return [(r.ordinal, r.task_id, r.result_json) for r in conn.execute(query)]


def count_active_jobs(conn: Connection) -> int:
    """Jobs not yet final, of every tenant (the operators' gauge), counted on the status index."""
    active = [status.value for status in JobStatus if status not in JOB_FINAL]
    query = select(func.count()).select_from(jobs).where(jobs.c.status.in_(active))
    return int(conn.execute(query).scalar_one())
