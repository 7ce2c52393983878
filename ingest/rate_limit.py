"""A tenant's request rate: one token bucket per tenant, in front of every API handler.

The bucket holds up to ``burst`` tokens and refills at ``requests_per_second``;
a request takes one, and an empty bucket answers 429 ``RATE_LIMITED`` with the
whole seconds until a token is back (never 0, which would invite a spin).

The buckets live in this process, so the rate is per ingest replica: N
replicas behind a balancer let a tenant send N times its rate. That is
accepted because the limit protects each replica (its event loop, its database
pool), which is exactly what it measures; a shared bucket would cost a
database round trip on every request, reads included. The daily bytes and the
active jobs, which protect what the replicas share, are counted in the
database instead (:mod:`ingest.quota`, :mod:`ingest.job_slots`).

Memory is bounded: a bucket left alone for its refill time is full, the same
as no bucket, so it expires after the longest refill time of the table, and
at most ``capacity`` buckets are kept (tenants are few: they come from API
keys an admin created, never from what a client sends).
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from cachetools import TTLCache

from ingest.errors import LimitExceededError, RateLimitedError
from ingest.job_slots import JOB_LIMITS, JobLimits
from ingest.principal import PRINCIPAL
from ingest.services import Services
from runtime.access import Principal
from runtime.tenant_limits import TenantLimits, TenantLimitTable

Clock = Callable[[], float]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]
CAPACITY = 10_000


@dataclass
class Bucket:
    """Tokens left at ``stamp`` (the clock's seconds)."""

    tokens: float
    stamp: float


def refill_s(limits: TenantLimits) -> float:
    """Seconds an empty bucket takes to fill: after that, forgetting it changes nothing."""
    return limits.burst / limits.requests_per_second


class TokenBuckets:
    """Takes one token of a tenant's bucket per request, or refuses with the wait."""

    def __init__(
        self, table: TenantLimitTable, clock: Clock = time.monotonic, capacity: int = CAPACITY
    ) -> None:
        self._table = table
        self._clock = clock
        ttl = max(refill_s(limits) for limits in (table.default, *map(table.for_tenant, table.tenants)))
        self._buckets: TTLCache[str, Bucket] = TTLCache(maxsize=capacity, ttl=ttl, timer=clock)

    def take(self, tenant: str) -> None:
        """One request of ``tenant``: allowed, or :class:`RateLimitedError` with its Retry-After."""
        limits = self._table.for_tenant(tenant)
        now = self._clock()
        bucket = self._buckets.get(tenant)
        if bucket is None:
            bucket = Bucket(float(limits.burst), now)
        tokens = min(float(limits.burst), bucket.tokens + (now - bucket.stamp) * limits.requests_per_second)
        if tokens < 1.0:
            self._buckets[tenant] = Bucket(tokens, now)
            wait = (1.0 - tokens) / limits.requests_per_second
            raise RateLimitedError(
                f"more than {limits.requests_per_second:g} requests a second (burst {limits.burst})", wait
            )
        self._buckets[tenant] = Bucket(tokens - 1.0, now)  # re-set: a busy tenant's bucket stays alive


def tenant_limits(services: Services, clock: Clock = time.monotonic) -> Middleware:
    """Rate-limit each authenticated call by its principal's tenant; hand the job limits to the handlers.

    It runs after authentication, so the tenant is the key's, and only the
    requests that middleware guarded are limited: the public routes (probes,
    ``/metrics``, the page and its assets, the OpenAPI document) and unknown
    paths carry no principal and take no token. It runs inside the error
    middleware, which answers the 429 with its Retry-After; every limit's
    refusal, its own or a handler's, is counted here by code and tenant.
    """
    table = services.settings.tenant_limits
    buckets = TokenBuckets(table, clock)
    job_limits = JobLimits.of(services.engine, table)

    @web.middleware
    async def limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        request[JOB_LIMITS] = job_limits
        principal: Principal | None = request.get(PRINCIPAL)
        if principal is None:
            return await handler(request)
        tenant = principal.tenant
        try:
            buckets.take(tenant)
            return await handler(request)
        except LimitExceededError as exc:
            services.metrics.refused(exc.code, tenant)
            raise

    return limit
