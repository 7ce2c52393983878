"""A tenant's unfinished jobs, at most ``max_active_jobs``: checked when a job is accepted.

The count is the tenant's rows in ``linting_jobs`` that are not final (on the
``(tenant, status)`` index), plus the jobs this process admitted since that
count (their rows may be younger than it). A count is reused for
``FRESH_S`` while the estimate stays under the limit, so a busy tenant costs
one query every half second, not one a job; an estimate that reaches the
limit is counted again at once, so a refusal is always decided on a fresh
count, and a finished job frees its slot for the next request. The next
count starts in the background once a count is half that age, so under load
requests do not all wait for it every half second (the profile showed that
stall in the p99); the count it makes adds the jobs admitted while it ran.
A per-tenant
lock makes count-and-admit one step within the process, so two requests on
one replica cannot both take the last slot; it is held for the count only,
never while a job is stored or published.

Across replicas a race remains: a replica sees the others' jobs at its next
count, so a tenant may run over its limit by what the other replicas admitted
within the last ``FRESH_S`` (at its request rate, a handful). That is
accepted: the limit shares the processors fairly, it is not a security
boundary, and it converges at the next count. A job whose first row could not
be written is counted once the sink writes it.

A database that does not answer does not stop submissions (the jobs topic
is the system of record, and accepting through a database outage is the
service's promise, docs/reliability.md): the count is then this process's
jobs in flight alone, with a warning, and the request rate still holds.

:class:`JobLimits` bundles these slots with the daily bytes; the limits
middleware hands it to the submission handler on the request.
"""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
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
FRESH_S = 0.5
UNFINISHED = tuple(status.value for status in JobStatus if status not in JOB_FINAL)


@dataclass
class Tally:
    """A tenant's unfinished jobs at a count, and those admitted here since (not in that count)."""

    counted: int
    at: float
    since: int


class JobSlots:
    """Admits a tenant's job while it has fewer than ``max_active_jobs`` unfinished."""

    def __init__(
        self, engine: Engine, table: TenantLimitTable, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._table = table
        self._clock = clock
        self._accepting: Counter[str] = Counter()
        self._admitted: Counter[str] = Counter()  # ever, per tenant: what a count missed while it ran
        self._refreshing: dict[str, asyncio.Task[Tally]] = {}
        # One of each per tenant seen: tenants are few (each from a key an admin made).
        self._locks: dict[str, asyncio.Lock] = {}
        self._tallies: dict[str, Tally] = {}

    async def admit(self, tenant: str) -> None:
        """Take one of ``tenant``'s slots (:meth:`settle` gives it back), or raise TooManyActiveJobsError."""
        limit = self._table.for_tenant(tenant).max_active_jobs
        async with self._locks.setdefault(tenant, asyncio.Lock()):
            tally = self._tallies.get(tenant)
            if tally is None or self._clock() - tally.at >= FRESH_S or tally.counted + tally.since >= limit:
                tally = await self._recount(tenant)
            elif self._clock() - tally.at >= FRESH_S / 2 and tenant not in self._refreshing:
                self._refresh_ahead(tenant)
            active = tally.counted + tally.since
            if active >= limit:
                message = f"{active} jobs are not finished yet, {limit} at most"
                raise TooManyActiveJobsError(message, ACTIVE_RETRY_S)
            tally.since += 1
            self._accepting[tenant] += 1
            self._admitted[tenant] += 1

    async def _recount(self, tenant: str) -> Tally:
        """A fresh count, plus the jobs in flight read before it and those admitted while it ran.

        Counted twice at worst, never missed.
        """
        in_flight, at, admitted = self._accepting[tenant], self._clock(), self._admitted[tenant]
        counted = await self._unfinished(tenant)
        tally = Tally(counted, at, in_flight + self._admitted[tenant] - admitted)
        self._tallies[tenant] = tally
        return tally

    def _refresh_ahead(self, tenant: str) -> None:
        """Count in the background; admissions go on with the current tally meanwhile."""
        task = asyncio.create_task(self._recount(tenant))
        self._refreshing[tenant] = task
        task.add_done_callback(lambda done: self._refreshed(tenant, done))

    async def counted(self) -> None:
        """Wait for the counts running in the background (a test's or a shutdown's)."""
        await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    def _refreshed(self, tenant: str, task: "asyncio.Task[Tally]") -> None:
        del self._refreshing[tenant]
        if not task.cancelled() and task.exception() is not None:
            log.error("tenant %s's jobs not counted ahead", tenant, exc_info=task.exception())

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
