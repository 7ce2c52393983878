"""Writing one batch of decoded events to the database, in one transaction.

The functions here take a Connection (or Engine) and already-decoded events,
so they are tested against SQLite and MariaDB without a broker.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from runtime.rows import Row, naive_utc
from schemas import events as wire
from schemas.statuses import JobStatus
from sink.outbox import enqueue, keep_callbacks
from sink.rows import job_row, task_row
from sink.tallies import final_jobs, refresh_jobs
from sink.upserts import ensure_jobs, upsert_jobs, upsert_tasks

# Events that can change a job's tallies or outcome; task.created/started cannot.
_TALLY_EVENTS = (wire.JobSubmitted, wire.JobExpanded, wire.JobRejected, wire.LintResult)


def apply_events(
    conn: Connection, events: Iterable[wire.Record], now: datetime | None = None
) -> dict[str, JobStatus]:
    """Upsert the rows of ``events`` and refresh the touched jobs; return the jobs this made final."""
    moment = naive_utc(now or datetime.now(UTC))
    job_rows: list[Row] = []
    task_rows: list[Row] = []
    touched: set[str] = set()
    locked: set[str] = set()
    for event in events:
        match event:
            case wire.JobSubmitted() | wire.JobExpanded() | wire.JobRejected():
                job_rows.append(job_row(event, moment))
            case (
                wire.LintTask()
                | wire.TaskRegistered()
                | wire.TaskStarted()
                | wire.TaskRetried()
                | wire.LintResult()
            ):
                task_rows.append(task_row(event, moment))
            case _:
                continue
        # Every writer of a job's rows queues on the job row first (see sink.tallies).
        locked.add(str(event.job_id))
        if isinstance(event, _TALLY_EVENTS):
            touched.add(str(event.job_id))
    ensure_jobs(conn, locked, moment)
    final_before = final_jobs(conn, touched)
    upsert_jobs(conn, job_rows)
    keep_callbacks(conn, job_rows)
    upsert_tasks(conn, task_rows)
    finished = refresh_jobs(conn, touched, moment, final_before)
    enqueue(conn, finished, moment)  # in this transaction: a final job always has its callback queued
    return finished


def write_batch(
    engine: Engine, events: Iterable[wire.Record], now: datetime | None = None
) -> dict[str, JobStatus]:
    """Apply ``events`` in ONE transaction: all of the batch is committed, or none of it."""
    with engine.begin() as conn:
        return apply_events(conn, events, now)
