"""``Idempotency-Key``: a retried submission gets the first answer, not a second job.

The key's row is claimed (insert-if-absent) BEFORE the job is published, so
of two racing requests exactly one publishes; the other replays the stored
answer, or is told to retry while the first is still in flight. Within one
process a per-key lock serialises the race so it rarely reaches the database.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from ingest.db import run_db
from ingest.errors import RequestRejectedError, RetryLaterError
from ingest.records import PENDING, complete_key, get_key, insert_key, release_key

MAX_KEY_CHARS = 255
_CLAIM_ATTEMPTS = 3


def check_key(raw: str | None) -> str | None:
    """The header's value if usable; an empty or oversized key is a client error."""
    if raw is None:
        return None
    key = raw.strip()
    if not 0 < len(key) <= MAX_KEY_CHARS or not key.isprintable():
        raise RequestRejectedError(
            "INVALID_IDEMPOTENCY_KEY", f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters"
        )
    return key


class IdempotencyKeys:
    """Claims, completes and releases keys in ``runtime.tables.idempotency_keys``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def guard(self, key: str) -> AsyncIterator[None]:
        """Serialise requests with the same key inside this process."""
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    async def claim(self, key: str, request_hash: str, job_id: str) -> dict[str, Any] | None:
        """None when this request owns the key now; else the stored answer to replay."""
        for _ in range(_CLAIM_ATTEMPTS):
            try:
                await run_db(self._engine, insert_key, key, request_hash, job_id)
                return None
            except IntegrityError:
                existing = await run_db(self._engine, get_key, key)
            if existing is None:
                continue  # released by a failed first attempt in between: claim again
            if existing["request_hash"] != request_hash:
                raise RequestRejectedError(
                    "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for a different request", 422
                )
            if existing["response_json"] == PENDING:
                raise RetryLaterError(
                    "a request with this Idempotency-Key is still in flight", code="IDEMPOTENCY_KEY_IN_FLIGHT"
                )
            stored: dict[str, Any] = json.loads(existing["response_json"])
            return stored
        raise RetryLaterError("this Idempotency-Key is contended", code="IDEMPOTENCY_KEY_IN_FLIGHT")

    async def complete(self, key: str, job_id: str, response: dict[str, Any]) -> None:
        """Remember the answer for replays."""
        await run_db(self._engine, complete_key, key, job_id, json.dumps(response))

    async def release(self, key: str, job_id: str) -> None:
        """Give the key back after a failure, so the client's retry can succeed."""
        await run_db(self._engine, release_key, key, job_id)
