"""Authentication: ``Authorization: Bearer <key>`` turned into the request's ``Principal``.

Runs after the error middleware, so a 401 or 403 gets the API's error body
(and the 401 its ``WWW-Authenticate`` challenge). What a route needs comes
from ``ingest/access_rules.py``. A verified key is trusted for
``INGEST_AUTH_CACHE_S`` without the database, which bounds how long a revoked
key keeps working; its ``last_used_at`` is written at most once a minute. All
database work runs in threads, never on the event loop.

With ``AUTH_REQUIRED=false`` a request without a key is the default tenant's
submitter (and may read the monitoring views); a request that does present a
key is checked all the same, and control actions always need an operator's
key or ``OPERATOR_TOKEN``.
"""

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from cachetools import TTLCache
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ingest.access_rules import PUBLIC, need_of
from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError, RequestRejectedError
from ingest.operator_auth import token_principal
from ingest.principal import PRINCIPAL
from ingest.settings import IngestSettings
from runtime.access import ANONYMOUS, Ability, Principal
from runtime.api_keys import touch_key, verify_key
from schemas.error_codes import ErrorCode

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]

TOUCH_EVERY_S = 60.0
CACHE_ENTRIES = 10_000


def _unauthorized(message: str) -> RequestRejectedError:
    return RequestRejectedError(ErrorCode.UNAUTHORIZED, message)


def _bearer(header: str) -> str:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <API key>'")
    return value.strip()


class Authenticator:
    """Checks keys against the database through a short-lived cache of verified ones."""

    def __init__(self, engine: Engine, settings: IngestSettings) -> None:
        self._engine = engine
        self._settings = settings
        # Verified keys by digest, each trusted for auth_cache_s; bounded, so presenting many keys
        # cannot grow the process without end. No cache at all when auth_cache_s is 0.
        ttl = settings.auth_cache_s
        self._cache: TTLCache[bytes, Principal] | None = TTLCache(CACHE_ENTRIES, ttl) if ttl > 0 else None
        self._touched: dict[str, float] = {}

    async def authorize(self, header: str | None, need: Ability) -> Principal:
        """The caller if allowed ``need``: else UNAUTHORIZED (no valid credential) or FORBIDDEN (role)."""
        if header is None:
            if need is Ability.CONTROL:
                raise _unauthorized("control actions need an operator's API key or OPERATOR_TOKEN")
            if self._settings.auth_required:
                raise _unauthorized("an API key is required: Authorization: Bearer <key>")
            return ANONYMOUS
        principal = await self.principal(_bearer(header))
        if principal is None:
            raise _unauthorized("the API key is unknown or revoked")
        if not principal.may(need):
            raise RequestRejectedError(
                ErrorCode.FORBIDDEN, f"the {principal.role.value} role may not {need.value}"
            )
        return principal

    async def principal(self, presented: str) -> Principal | None:
        """Who ``presented`` stands for: OPERATOR_TOKEN, a cached key, or the database's answer."""
        by_token = token_principal(presented, self._settings.operator_token)
        if by_token is not None:
            return by_token
        digest = hashlib.sha256(presented.encode()).digest()
        principal = self._cache.get(digest) if self._cache is not None else None
        if principal is None:
            principal = await run_db(self._engine, verify_key, presented)
            if principal is None:
                return None
            if self._cache is not None:
                self._cache[digest] = principal
        await self._touch(principal, time.monotonic())
        return principal

    async def _touch(self, principal: Principal, now: float) -> None:
        """Record the key's use once a minute; a failure to record never refuses the request."""
        key_id = principal.key_id
        if key_id is None or now - self._touched.get(key_id, -TOUCH_EVERY_S) < TOUCH_EVERY_S:
            return
        self._touched[key_id] = now
        try:
            await run_db(self._engine, touch_key, key_id)
        except (DatabaseUnavailableError, SQLAlchemyError) as exc:
            log.warning("could not record the use of key %s: %s", key_id, exc)


def auth_middleware(authenticator: Authenticator) -> Middleware:
    """Sets ``request[PRINCIPAL]`` on every non-public route, or answers 401/403."""

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        need = need_of(request)
        if need is not None and need != PUBLIC:
            header = request.headers.get("Authorization")
            request[PRINCIPAL] = await authenticator.authorize(header, need)
        return await handler(request)

    return authenticate


def warn_when_open(settings: IngestSettings) -> None:
    """Say loudly at start that anyone who reaches the port may submit and read."""
    if not settings.auth_required:
        log.warning(
            "AUTH_REQUIRED=false: AUTHENTICATION IS OFF. Any caller without a key submits and reads as "
            "the '%s' tenant and reads the monitoring views; keys presented are still checked and "
            "control actions still need an operator credential. Never run it so where others reach it.",
            ANONYMOUS.tenant,
        )
