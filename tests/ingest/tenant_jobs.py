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


def job_events(tenant: str, files: int = 2) -> tuple[Written, list[Record]]:
    """A finished job's events, from submission to the last result, as ``tenant``'s."""
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
            LintResult(job_id=job_id, task_id=task_id, file_name=name, status=TaskStatus.SUCCESS,
                       dialect="ansi", sqlfluff_version="3", fix=fix),
        ]
    return Written(tenant, job_id, task_ids), events


def sink_jobs(db_url: str, *tenants: str) -> list[Written]:
    """One finished job per tenant named: its first row as the ingest writes it, the rest by the sink.

    The ingest writes a job's first row (with its tenant) right after the 202,
    before the pipeline has progress to report; the sink then reads the
    submission and the progress in batches of their own. (The sink alone does
    not yet keep a job's tenant: see the report of the tenants' read side.)
    """
    written, submitted, progress = [], [], []
    for tenant in tenants:
        job, (first, *more) = job_events(tenant)
        written.append(job)
        submitted.append(first)
        progress += more
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as conn:
            for event in submitted:
                assert isinstance(event, JobSubmitted)
                conn.execute(insert(jobs).values(submitted_job_row(event, event.submitted_at)))
        write_batch(engine, submitted)
        write_batch(engine, progress)
    finally:
        engine.dispose()
    return written
