"""Jobs of named tenants written by the real sink, for the tests of tenant scoping.

Each job is a ``job.submitted`` carrying its tenant, then two files that
asked for fixes, started and finished, the way the pipeline's events arrive,
so the rows (and the tenant the sink stores) are exactly what a real job leaves.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import insert

from runtime.db import create_db_engine
from runtime.rows import submitted_job_row
from runtime.tables import jobs
from schemas.events import (
    DEFAULT_TENANT,
    FixOutcome,
    JobExpanded,
    JobSubmitted,
    LintOptions,
    LintResult,
    LintTask,
    Record,
    TaskStarted,
)
from schemas.statuses import SubmissionType, TaskStatus
from sink.store import write_batch

SQL = "select a,b from t\n"
FIXED = "select\n    a,\n    b\nfrom t\n"
DIFF = "--- a/q.sql\n+++ b/q.sql\n@@ -1 +1,4 @@\n-select a,b from t\n+select\n+    a,\n+    b\nfrom t\n"


@dataclass(frozen=True)
class Written:
    """A job the sink wrote: its id and its tasks' ids in file order."""

    tenant: str
    job_id: uuid.UUID
    task_ids: tuple[uuid.UUID, ...]


def job_events(tenant: str, files: int = 2, *, finished: bool = True) -> tuple[Written, list[Record]]:
    """A job's events as ``tenant``'s, from submission to the last result (or to the files' start)."""
    job_id = uuid.uuid4()
    options = LintOptions(fix=True)
    events: list[Record] = [
        JobSubmitted(
            job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE, storage_path=f"jobs/{job_id}/a.zip",
            options=options, file_name=f"{tenant}.zip", tenant=None if tenant == DEFAULT_TENANT else tenant,
        ),
        JobExpanded(job_id=job_id, task_count=files),
    ]
    task_ids = tuple(uuid.uuid4() for _ in range(files))
    fix = FixOutcome(fixed=True, fixed_sql=FIXED, diff=DIFF)
    for ordinal, task_id in enumerate(task_ids):
        name = f"{tenant}-{ordinal}.sql"
        events += [
            LintTask(task_id=task_id, job_id=job_id, ordinal=ordinal, file_name=name, sql_content=SQL,
                     size_bytes=len(SQL), options=options),
            TaskStarted(task_id=task_id, job_id=job_id),
        ]
        if finished:
            events.append(LintResult(job_id=job_id, task_id=task_id, file_name=name, fix=fix,
                                     status=TaskStatus.SUCCESS, dialect="ansi", sqlfluff_version="3"))
    return Written(tenant, job_id, task_ids), events


def record(db_url: str, events: list[Record]) -> None:
    """The jobs' first rows as the ingest writes them, then the events through the sink, submissions first.

    The ingest writes a job's first row (with its tenant) right after the 202,
    before the pipeline has progress to report; the sink then reads the
    submission and the progress in batches of their own. (The sink alone does
    not yet keep a job's tenant: see the report of the tenants' read side.)
    """
    submitted = [event for event in events if isinstance(event, JobSubmitted)]
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as conn:
            for job in submitted:
                conn.execute(insert(jobs).values(submitted_job_row(job, job.submitted_at)))
        write_batch(engine, list(submitted))
        write_batch(engine, [event for event in events if not isinstance(event, JobSubmitted)])
    finally:
        engine.dispose()


def sink_jobs(db_url: str, *tenants: str, finished: bool = True) -> list[Written]:
    """One job per tenant named, finished (or its files started only), recorded as :func:`record` does."""
    written, events = [], []
    for tenant in tenants:
        job, more = job_events(tenant, finished=finished)
        written.append(job)
        events += more
    record(db_url, events)
    return written
