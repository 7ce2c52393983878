"""A tenant's unfinished jobs, at most ``max_active_jobs``: checked when a job is accepted.

The count is the tenant's rows in ``linting_jobs`` that are not final (on the
``(tenant, status)`` index), plus the jobs this process is accepting right now
(admitted, their first row not yet written). A per-tenant lock makes
count-and-admit one step within the process, so two requests on one replica
cannot both take the last slot; the lock is held for the count only, never
while a job is stored or published. Across replicas the race remains: each
replica sees the others' jobs once their first row is written (right after
the broker's acknowledgement, ``ingest/accepted.py``), so N replicas admitting
at the same instant may let a tenant run up to N-1 jobs over its limit. That
is accepted: the limit is about sharing the processors fairly, not a security
boundary, and it converges as soon as the rows are written. A job whose first
row could not be written is counted once the sink writes it.

A database that does not answer does not stop submissions (the jobs topic
is the system of record, and accepting through a database outage is the
service's promise, docs/reliability.md): the count is then this process's
jobs in flight alone, with a warning, and the request rate still holds.

:class:`JobLimits` bundles these slots with the daily bytes; the limits
middleware hands it to the submission handler on the request.
"""

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import Connection, Engine, func, select

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError, TooManyActiveJobsError
from ingest.quota import DailyBytes
from runtime.tables import jobs
from runtime.tenant_limits import TenantLimitTable
from schemas.statuses import JOB_FINAL, JobStatus

# When a slot frees is unknown (a one-file job lints in about a second, a large ZIP in minutes):
# a short wait, so a client polling its jobs is not told to sleep far longer than needed.
ACTIVE_RETRY_S = 5
log = logging.getLogger(__name__)
UNFINISHED = tuple(status.value for status in JobStatus if status not in JOB_FINAL)


class JobSlots:
    """Admits a tenant's job while it has fewer than ``max_active_jobs`` unfinished."""

    def __init__(self, engine: Engine, table: TenantLimitTable) -> None:
        self._engine = engine
        self._table = table
        self._accepting: Counter[str] = Counter()
        self._locks: dict[str, asyncio.Lock] = {}  # one per tenant seen: tenants are few (admin-made)

    async def admit(self, tenant: str) -> None:
        """Take one of ``tenant``'s slots (:meth:`settle` gives it back), or raise TooManyActiveJobsError."""
        limit = self._table.for_tenant(tenant).max_active_jobs
        async with self._locks.setdefault(tenant, asyncio.Lock()):
            active = await self._unfinished(tenant) + self._accepting[tenant]
            if active >= limit:
                message = f"{active} jobs are not finished yet, {limit} at most"
                raise TooManyActiveJobsError(message, ACTIVE_RETRY_S)
            self._accepting[tenant] += 1

    async def _unfinished(self, tenant: str) -> int:
        try:
            return await run_db(self._engine, count_unfinished, tenant)
        except DatabaseUnavailableError as exc:
            log.warning("tenant %s's jobs in the database not counted: %s", tenant, exc.message)
            return 0

    def settle(self, tenant: str) -> None:
        """The admitted job's row is written (it counts itself now), or it was refused after all."""
        self._accepting[tenant] -= 1
        if not self._accepting[tenant]:
            del self._accepting[tenant]


def count_unfinished(conn: Connection, tenant: str) -> int:
    """The tenant's jobs not yet final."""
    mine = (jobs.c.tenant == tenant, jobs.c.status.in_(UNFINISHED))
    query = select(func.count()).select_from(jobs).where(*mine)
    return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class JobLimits:
    """What a job must fit in to be accepted: a free slot and the day's bytes."""

    slots: JobSlots
    daily: DailyBytes

    @classmethod
    def of(cls, engine: Engine, table: TenantLimitTable) -> "JobLimits":
        """The limits of ``table``, counted in ``engine``'s database."""
        return cls(JobSlots(engine, table), DailyBytes(engine, table))


JOB_LIMITS = web.RequestKey("job_limits", JobLimits)


def job_limits_of(request: web.Request) -> JobLimits:
    """The limits the tenant-limits middleware put on ``request`` (it runs before every handler)."""
    return request[JOB_LIMITS]
