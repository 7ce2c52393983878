"""Job tallies and outcomes, recomputed from the tasks table after each batch.

Counting (not incrementing) makes a replayed batch harmless, and finishing a
job here (rather than on ``job.expanded`` or on the last ``lint.result``)
covers every arrival order: results before the expansion, or after it.

On MariaDB/InnoDB an ``UPDATE`` whose value is a subquery reads the tasks rows
with shared locks (a current read, not the transaction's snapshot), so a job
is never finished from a stale count. Every writer takes its jobs' row locks
first (:func:`sink.upserts.ensure_jobs`, in id order), so two writers of one
job queue instead of each holding a task row the other's recount needs (a
deadlock); any deadlock left is broken by the database and the batch retried.
Because the writer holds those locks, comparing the final jobs before and
after its rows (:func:`final_jobs`) tells exactly which jobs THIS transaction
finished, by a tally or by a ``job.rejected``: each job is counted once.
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ScalarSelect, func, select, update

from runtime.tables import jobs, tasks
from schemas.statuses import JOB_FINAL, JobStatus, TaskStatus, job_outcome

_NOT_FINAL = [status.value for status in JobStatus if status not in JOB_FINAL]


def _of_job(aggregate: Any, *where: Any) -> ScalarSelect[Any]:
    """A per-job aggregate over tasks, correlated with the jobs row being updated."""
    return (
        select(aggregate).select_from(tasks).where(tasks.c.job_id == jobs.c.job_id, *where).scalar_subquery()
    )


def final_jobs(conn: Connection, job_ids: Collection[str]) -> dict[str, JobStatus]:
    """Those of ``job_ids`` whose status is final now, with it."""
    if not job_ids:
        return {}
    final = [status.value for status in JOB_FINAL]
    where = (jobs.c.job_id.in_(sorted(job_ids)), jobs.c.status.in_(final))
    rows = conn.execute(select(jobs.c.job_id, jobs.c.status).where(*where))
    return {job_id: JobStatus(status) for job_id, status in rows}


def refresh_jobs(
    conn: Connection, job_ids: Collection[str], now: datetime, final_before: Collection[str] = ()
) -> dict[str, JobStatus]:
    """Recount the tallies of ``job_ids`` and finish those whose tasks are all final.

    Returns the jobs final now that were not in ``final_before`` (read under
    the same locks before the batch's rows), with their final status.
    """
    if not job_ids:
        return {}
    ids = sorted(job_ids)
    conn.execute(
        update(jobs)
        .where(jobs.c.job_id.in_(ids))
        .values(
            tasks_succeeded=_of_job(func.count(), tasks.c.status == TaskStatus.SUCCESS.value),
            tasks_failed=_of_job(func.count(), tasks.c.status == TaskStatus.FAILURE.value),
            violation_count=_of_job(func.coalesce(func.sum(tasks.c.violation_count), 0)),
        )
    )
    counted = conn.execute(
        select(jobs.c.job_id, jobs.c.task_count, jobs.c.tasks_succeeded, jobs.c.tasks_failed).where(
            jobs.c.job_id.in_(ids), jobs.c.task_count.is_not(None), jobs.c.status.in_(_NOT_FINAL)
        )
    ).all()
    for job_id, task_count, succeeded, failed in counted:
        outcome = job_outcome(task_count, succeeded, failed)
        if outcome in JOB_FINAL:
            _finish(conn, job_id, outcome, now)
    already = set(final_before)
    return {job_id: status for job_id, status in final_jobs(conn, ids).items() if job_id not in already}


def _finish(conn: Connection, job_id: str, outcome: JobStatus, now: datetime) -> None:
    """Advance-only: the WHERE keeps a job that another worker already finished as it is."""
    last_task_finished = _of_job(func.max(tasks.c.finished_at))
    conn.execute(
        update(jobs)
        .where(jobs.c.job_id == job_id, jobs.c.status.in_(_NOT_FINAL))
        .values(status=outcome.value, finished_at=func.coalesce(last_task_finished, now), updated_at=now)
    )
