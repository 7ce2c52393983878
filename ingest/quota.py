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
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import DailyQuotaExceededError, DatabaseUnavailableError
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

    async def reserve(self, tenant: str, nbytes: int) -> Reservation | None:
        """Count ``nbytes`` for today, or raise :class:`DailyQuotaExceededError` (Retry-After: midnight).

        None when the database did not answer: nothing was counted, nothing is to refund.
        """
        now = self._clock()
        limit = self._table.for_tenant(tenant).max_bytes_per_day
        reservation = Reservation(tenant, now.astimezone(UTC).date(), nbytes)
        try:
            fits = await run_db(self._engine, _add, reservation, limit)
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


def _add(conn: Connection, reservation: Reservation, limit: int) -> bool:
    fits = usage.c.bytes + reservation.nbytes <= limit
    added = conn.execute(
        update(usage)
        .where(*_day(reservation), fits)
        .values(bytes=usage.c.bytes + reservation.nbytes, jobs=usage.c.jobs + 1)
    )
    return added.rowcount == 1


def _insert(conn: Connection, reservation: Reservation) -> None:
    row = {"tenant": reservation.tenant, "day": reservation.day, "bytes": reservation.nbytes, "jobs": 1}
    conn.execute(insert(usage).values(row))


def _subtract(conn: Connection, reservation: Reservation) -> None:
    conn.execute(
        update(usage)
        .where(*_day(reservation))
        .values(bytes=usage.c.bytes - reservation.nbytes, jobs=usage.c.jobs - 1)
    )
