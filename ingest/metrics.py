"""Prometheus metrics of the ingest, in a registry owned by each app instance.

A per-app registry (not the global default) lets several apps live in one
process, as they do in tests, without duplicate-metric errors.
"""

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Metrics:
    """Requests and their duration, accept latency, accepted and active jobs, workers, limit refusals.

    ``sql_linting_*`` are the names the service plan gave operators' dashboards.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sqllint_http_requests",
            "HTTP requests answered.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.accept_latency = Histogram(
            "sqllint_job_accept_seconds",
            "Time to accept a job (parse, store, publish with acks=all).",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.jobs_accepted = Counter(
            "sqllint_jobs_accepted",
            "Jobs accepted onto the jobs topic.",
            ("submission_type",),
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "sql_linting_request_duration_seconds",
            "Time to answer an HTTP request, by method, canonical route and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.active_jobs = Gauge(
            "sql_linting_active_jobs",
            "Jobs not yet final (ACCEPTED or PROCESSING), read from the database at scrape time.",
            registry=self.registry,
        )
        # Tenants are few (each comes from an API key an admin created, never from a client's
        # input) and the codes are the three limits, so these labels stay a small, bounded set.
        self.limit_refusals = Counter(
            "sqllint_limit_refusals",
            "Requests refused by a tenant's limit (429), by error code and tenant.",
            ("code", "tenant"),
            registry=self.registry,
        )
        self.workers_alive = Gauge(
            "sql_linting_workers_alive",
            "Workers whose newest heartbeat is fresh (INGEST_WORKER_STALE_AFTER_S), by role, at scrape time.",
            ("role",),
            registry=self.registry,
        )

    def middleware(self) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        """Counts every answer, including the error middleware's JSON errors (it runs inside this)."""

        @web.middleware
        async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
            started = time.perf_counter()
            response = await handler(request)
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            labels = (request.method, route, str(response.status))
            self.requests.labels(*labels).inc()
            self.request_duration.labels(*labels).observe(time.perf_counter() - started)
            return response

        return count

    def timer(self) -> float:
        """A start time for :meth:`observe_accept`."""
        return time.perf_counter()

    def observe_accept(self, started: float, submission_type: str) -> None:
        """One accepted job and how long accepting it took."""
        self.accept_latency.observe(time.perf_counter() - started)
        self.jobs_accepted.labels(submission_type).inc()

    def refused(self, code: str, tenant: str) -> None:
        """One request refused by ``tenant``'s limit ``code``."""
        self.limit_refusals.labels(code, tenant).inc()

    async def handle(self, _request: web.Request) -> web.Response:
        """GET /metrics in the Prometheus text format."""
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
