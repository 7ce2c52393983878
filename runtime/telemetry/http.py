"""A server span per HTTP request, and a fresh log context, for an aiohttp app.

aiohttp serves the requests of a keep-alive connection one after another in
one task, so the ``job_id`` a request bound would otherwise stay in the next
request's log lines: the context is cleared when a request starts (not when
it ends, so aiohttp's access-log line still names the job). A caller's
``traceparent`` header is continued; health and metrics probes are not traced.
"""

from collections.abc import Awaitable, Callable

from aiohttp import web
from opentelemetry.trace import SpanKind
from structlog.contextvars import clear_contextvars

from runtime.telemetry.kafka_headers import extract
from runtime.telemetry.tracing import enabled, tracer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UNTRACED_PREFIXES = ("/health", "/metrics")


def _route(request: web.Request) -> str:
    """The route's pattern (``/api/v1/jobs/{job_id}``), so spans group by endpoint, not by id."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else request.path


def traced_requests() -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """The middleware; put it first, so its span sees the status the error middleware chose."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        clear_contextvars()
        if not enabled() or request.path.startswith(UNTRACED_PREFIXES):
            return await handler(request)
        route = _route(request)
        with tracer().start_as_current_span(
            f"{request.method} {route}",
            context=extract(request.headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "http.route": route, "url.path": request.path},
        ) as span:
            response = await handler(request)
            span.set_attribute("http.response.status_code", response.status)
            return response

    return middleware
