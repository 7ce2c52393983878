"""``Idempotency-Key``: a retried submission gets the first answer, not a second job.

The key's row is claimed (insert-if-absent) BEFORE the job is published, so
of two racing requests, on one replica or two, exactly one publishes; the
other replays the stored answer, or is told to retry while the first is still
in flight. Within one process a per-key lock serialises the race so it rarely
reaches the database. A request without a key passes through every step.

A key is its tenant's (the table's key is (tenant, idempotency_key)): every
step takes the caller's tenant, so the same key sent by two tenants makes two
jobs and neither is ever told of, or replayed, the other's answer.

A key expires ``INGEST_IDEMPOTENCY_KEY_TTL_HOURS`` after its claim: a request
then reuses it as a new key (a client retries within minutes, not days), and a
claim left PENDING by a crashed replica stops blocking its key. The sink
deletes the rows themselves after ``SINK_RETENTION_DAYS`` (sink/retention.py).
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError, RequestRejectedError
from ingest.views import JobAccepted
from runtime.tables import idempotency_keys as keys
from schemas.error_codes import ErrorCode

log = logging.getLogger(__name__)
PENDING = ""  # the answer column of a claim whose job is still being accepted
_CLAIM_ATTEMPTS = 3


class IdempotencyKeys:
    """Claims, completes and releases keys in ``runtime.tables.idempotency_keys``."""

    def __init__(self, engine: Engine, ttl_hours: float = 24.0) -> None:
        self._engine = engine
        self._ttl = timedelta(hours=ttl_hours)
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def guard(self, key: str | None, tenant: str) -> AsyncIterator[None]:
        """Serialise requests of one tenant with the same key inside this process."""
        if key is None:
            yield
            return
        mine = (tenant, key)
        lock, users = self._locks.setdefault(mine, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[mine]

    async def claim(self, key: str | None, fingerprint: str, job_id: UUID, tenant: str) -> JobAccepted | None:
        """None when this request may go on (it owns the tenant's key now); else the answer to replay."""
        if key is None:
            return None
        mine = Key(tenant, key)
        for _ in range(_CLAIM_ATTEMPTS):
            try:
                await run_db(self._engine, _insert, mine, fingerprint, job_id)
                return None
            except IntegrityError:
                existing = await run_db(self._engine, _get, mine)
            if existing is None:
                continue  # released by a failed first attempt in between: claim again
            if existing["created_at"] < _now() - self._ttl:
                await run_db(self._engine, _expire, mine, existing["created_at"])
                continue  # expired: this request claims the key afresh
            if existing["request_hash"] != fingerprint:
                raise RequestRejectedError(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key was used for a different request"
                )
            if existing["response_json"] == PENDING:
                message = "a request with this Idempotency-Key is still in flight"
                raise RequestRejectedError(ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT, message)
            return JobAccepted.model_validate_json(existing["response_json"])
        raise RequestRejectedError(ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT, "this Idempotency-Key is contended")

    async def complete(self, key: str | None, answer: JobAccepted, tenant: str) -> None:
        """Remember the answer for replays; the job is accepted whether or not this is written."""
        if key is None:
            return
        try:
            await run_db(self._engine, _complete, Key(tenant, key), answer.job_id, answer.model_dump_json())
        except DatabaseUnavailableError as exc:
            log.warning("job %s accepted, its idempotency key not completed: %s", answer.job_id, exc.message)

    async def release(self, key: str | None, job_id: UUID, tenant: str) -> None:
        """Give the key back after a failure, so the client's retry can succeed."""
        if key is None:
            return
        try:
            await run_db(self._engine, _release, Key(tenant, key), job_id)
        except DatabaseUnavailableError as exc:
            log.warning("idempotency key of failed job %s not released: %s", job_id, exc.message)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Key(NamedTuple):
    """One tenant's key: the table's primary key, so no statement can name a key without its tenant."""

    tenant: str
    name: str

    def row(self) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        """The condition that a row is this key."""
        return keys.c.tenant == self.tenant, keys.c.idempotency_key == self.name


def _insert(conn: Connection, key: Key, fingerprint: str, job_id: UUID) -> None:
    row = {"request_hash": fingerprint, "job_id": str(job_id), "response_json": PENDING, "created_at": _now()}
    conn.execute(insert(keys).values(tenant=key.tenant, idempotency_key=key.name, **row))


def _get(conn: Connection, key: Key) -> dict[str, Any] | None:
    row = conn.execute(select(keys).where(*key.row())).mappings().first()
    return dict(row) if row else None


def _complete(conn: Connection, key: Key, job_id: UUID, response_json: str) -> None:
    mine = (*key.row(), keys.c.job_id == str(job_id))
    conn.execute(update(keys).where(*mine).values(response_json=response_json))


def _release(conn: Connection, key: Key, job_id: UUID) -> None:
    conn.execute(delete(keys).where(*key.row(), keys.c.job_id == str(job_id)))


def _expire(conn: Connection, key: Key, created_at: datetime) -> None:
    """Delete the expired claim only: a racing request may have claimed the key afresh meanwhile."""
    conn.execute(delete(keys).where(*key.row(), keys.c.created_at == created_at))
