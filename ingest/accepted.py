"""Where a job is found between its 202 and the sink's first write of its row.

A GET right after the 202 must not answer 404, so the ingest writes the job's
first row itself: insert-if-absent, and the very row the sink would build
(``runtime.rows``), so it does not matter which of the two writes first. The
write is best effort, as the event is already durable and the sink will write
the row; until then the accepted event is remembered in a bounded LRU. The
LRU answers as the scoped queries do: another tenant's job is not there.

The rows are written in groups (:mod:`ingest.group_commit`): one
transaction for all the jobs accepted while the previous one was written,
each request still waiting for its own row before its 202. Should the sink
have written one of them first, the group's insert fails as a whole and its
rows are written again one by one, each insert-if-absent as before.
"""

import logging
from uuid import UUID

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError
from ingest.group_commit import GroupCommit
from runtime.rows import Row, submitted_job_row
from runtime.tables import jobs
from schemas.events import DEFAULT_TENANT, JobSubmitted, utc_now

log = logging.getLogger(__name__)


class AcceptedJobs:
    """The first rows this process wrote, or meant to write, for the jobs it accepted."""

    def __init__(self, engine: Engine, capacity: int) -> None:
        self._engine = engine
        self._recent: LRUCache[UUID, JobSubmitted] = LRUCache(maxsize=capacity)
        self._rows: GroupCommit[JobSubmitted, None] = GroupCommit(self._write)

    async def record(self, job: JobSubmitted) -> None:
        """Remember ``job`` and write its first row; a row already there, or no database, is fine."""
        self._recent[job.job_id] = job
        try:
            await self._rows.submit(job)
        except DatabaseUnavailableError as exc:
            log.warning("job %s accepted but its first row was not written: %s", job.job_id, exc.message)

    async def close(self) -> None:
        """Write the rows still queued (at shutdown, before the engine is disposed)."""
        await self._rows.close()

    async def _write(self, batch: list[JobSubmitted]) -> list[Exception | None]:
        """The batch's rows in one transaction; if the sink wrote one of them first, one by one."""
        try:
            await run_db(self._engine, _insert_first_rows, batch)
        except IntegrityError:
            return [await self._write_alone(job) for job in batch]
        return [None] * len(batch)

    async def _write_alone(self, job: JobSubmitted) -> Exception | None:
        try:
            await run_db(self._engine, _insert_first_rows, [job])
        except IntegrityError:
            pass  # the sink consumed the event first: the row is there
        except DatabaseUnavailableError as exc:
            return exc
        return None

    def row(self, job_id: UUID, tenant: str | None) -> Row | None:
        """The first row of ``tenant``'s job (any for None) accepted here lately, as the sink writes it."""
        job = self._recent.get(job_id)
        if job is None or tenant not in (None, job.tenant or DEFAULT_TENANT):
            return None
        return submitted_job_row(job, job.submitted_at)


# Built once: a statement made per call cost more of the ingest's CPU than the insert itself.
_INSERT = insert(jobs)


def _insert_first_rows(conn: Connection, batch: list[JobSubmitted]) -> None:
    now = utc_now()
    conn.execute(_INSERT, [submitted_job_row(job, now) for job in batch])
