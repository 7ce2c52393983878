"""A tenant's source bytes per UTC day, in ``tenant_usage``: reserved at acceptance, refunded on refusal.

The bytes are reserved before the job is published, with one conditional
UPDATE (``bytes + n <= max_bytes_per_day``) that the database applies
atomically, so replicas accepting at the same moment cannot pass the limit
together; a tenant's first job of the day inserts the row, and an insert that
loses the race on the primary key retries as the update. Counting after the
202 instead would need a check first and an add later, two steps that racing
requests could both pass. A job refused after its reservation (a bad
archive, the broker down) gives the bytes back, so only accepted jobs stay
counted; if the database fails at that moment the bytes stay counted and a
warning says so. A database that does not answer at the reservation does not
stop the job (accepting through a database outage is the service's promise,
docs/reliability.md): its bytes go uncounted, with a warning, and the request
rate still bounds what a tenant can send meanwhile.

The reservations are written in groups (:mod:`ingest.group_commit`), one
transaction for those that arrived while the previous one was written, in
order of arrival: a tenant's day whose group fits as a whole takes one
UPDATE for all of them (if the sum fits, each would have, one after the
other); otherwise each is judged alone, in turn, exactly as before.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, insert, update
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import DailyQuotaExceededError, DatabaseUnavailableError
from ingest.group_commit import GroupCommit
from runtime.tables import tenant_usage as usage
from runtime.tenant_limits import TenantLimitTable
from schemas.events import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reservation:
    """Bytes counted for one job on one UTC day: what a refund gives back."""

    tenant: str
    day: date
    nbytes: int


def seconds_to_midnight(now: datetime) -> float:
    """Seconds from ``now`` (aware) to the next UTC midnight, when a new day's quota starts."""
    tomorrow = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), tzinfo=UTC)
    return (tomorrow - now).total_seconds()


class DailyBytes:
    """Reserves and refunds source bytes against each tenant's ``max_bytes_per_day``."""

    def __init__(
        self, engine: Engine, table: TenantLimitTable, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._engine = engine
        self._table = table
        self._clock = clock
        self._adds: GroupCommit[tuple[Reservation, int], bool] = GroupCommit(self._add_batch)

    async def reserve(self, tenant: str, nbytes: int) -> Reservation | None:
        """Count ``nbytes`` for today, or raise :class:`DailyQuotaExceededError` (Retry-After: midnight).

        None when the database did not answer: nothing was counted, nothing is to refund.
        """
        now = self._clock()
        limit = self._table.for_tenant(tenant).max_bytes_per_day
        reservation = Reservation(tenant, now.astimezone(UTC).date(), nbytes)
        try:
            fits = await self._adds.submit((reservation, limit))
            fits = fits or await self._first(reservation, limit)
        except DatabaseUnavailableError as exc:
            log.warning("%d bytes of tenant %s not counted: %s", nbytes, tenant, exc.message)
            return None
        if fits:
            return reservation
        raise DailyQuotaExceededError(
            f"{nbytes} more bytes would pass this UTC day's {limit} bytes", seconds_to_midnight(now)
        )

    async def refund(self, reservation: Reservation) -> None:
        """Give a refused job's bytes back (best effort: see the module's note)."""
        try:
            await run_db(self._engine, _subtract, reservation)
        except DatabaseUnavailableError as exc:
            what = (reservation.nbytes, reservation.tenant, exc.message)
            log.warning("%d bytes of tenant %s stay counted: %s", *what)

    async def _add_batch(self, batch: list[tuple[Reservation, int]]) -> list[bool]:
        return await run_db(self._engine, _add_all, batch)

    async def _first(self, reservation: Reservation, limit: int) -> bool:
        """The day's row written by this job, or (lost race, or a row too full) the update once more."""
        if reservation.nbytes > limit:
            return False
        try:
            await run_db(self._engine, _insert, reservation)
        except IntegrityError:
            return await run_db(self._engine, _add, reservation, limit)
        return True


def _day(reservation: Reservation) -> tuple[ColumnElement[bool], ...]:
    return usage.c.tenant == reservation.tenant, usage.c.day == reservation.day


# Built once, values bound per call: building the statement cost more CPU than running it.
_ADD = (
    update(usage)
    .where(
        usage.c.tenant == bindparam("tenant_"),
        usage.c.day == bindparam("day_"),
        usage.c.bytes + bindparam("nbytes") <= bindparam("limit"),
    )
    .values(bytes=usage.c.bytes + bindparam("nbytes"), jobs=usage.c.jobs + bindparam("count"))
)


def _add(conn: Connection, reservation: Reservation, limit: int, count: int = 1) -> bool:
    """``count`` jobs of ``reservation.nbytes`` in all, if they fit in the day's ``limit``."""
    params = {"tenant_": reservation.tenant, "day_": reservation.day, "nbytes": reservation.nbytes,
              "limit": limit, "count": count}
    return conn.execute(_ADD, params).rowcount == 1


def _add_all(conn: Connection, batch: list[tuple[Reservation, int]]) -> list[bool]:
    """Whether each reservation fits, judged in order; one UPDATE for a tenant's day that fits whole."""
    groups: dict[tuple[str, date, int], list[int]] = {}
    for n, (reservation, limit) in enumerate(batch):
        groups.setdefault((reservation.tenant, reservation.day, limit), []).append(n)
    fits = [False] * len(batch)
    for (tenant, day, limit), members in groups.items():
        whole = Reservation(tenant, day, sum(batch[n][0].nbytes for n in members))
        if len(members) > 1 and _add(conn, whole, limit, len(members)):
            for n in members:
                fits[n] = True
            continue
        for n in members:
            fits[n] = _add(conn, batch[n][0], limit)
    return fits


def _insert(conn: Connection, reservation: Reservation) -> None:
    row = {"tenant": reservation.tenant, "day": reservation.day, "bytes": reservation.nbytes, "jobs": 1}
    conn.execute(insert(usage).values(row))


def _subtract(conn: Connection, reservation: Reservation) -> None:
    conn.execute(
        update(usage)
        .where(*_day(reservation))
        .values(bytes=usage.c.bytes - reservation.nbytes, jobs=usage.c.jobs - 1)
    )
