"""Where a job is found between its 202 and the sink's first write of its row.

A GET right after the 202 must not answer 404, so the ingest writes the job's
first row itself: insert-if-absent, and the very row the sink would build
(``runtime.rows``), so it does not matter which of the two writes first. The
write is best effort, as the event is already durable and the sink will write
the row; until then the accepted event is remembered in a bounded LRU. The
LRU answers as the scoped queries do: another tenant's job is not there.
"""

import logging
from uuid import UUID

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError
from runtime.rows import Row, submitted_job_row
from runtime.tables import jobs
from schemas.events import DEFAULT_TENANT, JobSubmitted, utc_now

log = logging.getLogger(__name__)


class AcceptedJobs:
    """The first rows this process wrote, or meant to write, for the jobs it accepted."""

    def __init__(self, engine: Engine, capacity: int) -> None:
        self._engine = engine
        self._recent: LRUCache[UUID, JobSubmitted] = LRUCache(maxsize=capacity)

    async def record(self, job: JobSubmitted) -> None:
        """Remember ``job`` and write its first row; a row already there, or no database, is fine."""
        self._recent[job.job_id] = job
        try:
            await run_db(self._engine, _insert_first_row, job)
        except IntegrityError:
            pass  # the sink consumed the event first: the row is there
        except DatabaseUnavailableError as exc:
            log.warning("job %s accepted but its first row was not written: %s", job.job_id, exc.message)

    def row(self, job_id: UUID, tenant: str | None) -> Row | None:
        """The first row of ``tenant``'s job (any for None) accepted here lately, as the sink writes it."""
        job = self._recent.get(job_id)
        if job is None or tenant not in (None, job.tenant or DEFAULT_TENANT):
            return None
        return submitted_job_row(job, job.submitted_at)


def _insert_first_row(conn: Connection, job: JobSubmitted) -> None:
    conn.execute(insert(jobs).values(submitted_job_row(job, utc_now())))
