"""The jobs row of a submitted job, built in one place for both of its writers.

The ingest writes a job's first row right after its 202, and the sink writes
the row when it reads ``job.submitted``; whichever comes first stays (the
other is an insert-if-absent, or an upsert that describes only a placeholder).
Both must therefore build the same row, or what a job shows would depend on
which writer won the race.
"""

from datetime import UTC, datetime
from typing import Any

from runtime.tables import jobs
from schemas.events import DEFAULT_TENANT, JobSubmitted
from schemas.statuses import JobStatus

Row = dict[str, Any]


def naive_utc(moment: datetime) -> datetime:
    """The tables hold naive UTC timestamps (``DateTime(timezone=False)``)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def submitted_job_row(job: JobSubmitted, now: datetime) -> Row:
    """Every column of ``jobs`` for a job known only from its event; ``now`` is the write time.

    The source is named by the client's file name, else by where the source
    lies on the storage root, so a job sent as a path is still recognisable.
    """
    unknown: Row = dict.fromkeys(jobs.columns.keys())
    return unknown | {
        "job_id": str(job.job_id),
        "submission_type": job.submission_type.value,
        "status": JobStatus.ACCEPTED.value,
        "source_name": job.file_name or job.storage_path,
        "options_json": job.options.model_dump_json(),
        "callback_url": job.callback_url,
        "tenant": job.tenant or DEFAULT_TENANT,
        "tasks_succeeded": 0,
        "tasks_failed": 0,
        "violation_count": 0,
        "created_at": naive_utc(job.submitted_at),
        "updated_at": naive_utc(now),
    }
