"""OpenTelemetry spans, exported over OTLP/HTTP only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

Off by default: without the variable no SDK provider is installed, the
API's no-op tracer answers, and :func:`enabled` lets the Kafka paths skip
header work entirely. The exporter reads the standard ``OTEL_*`` variables
itself (endpoint, headers, timeouts, batch delays), so operators configure
tracing the way they do for any OpenTelemetry service.
"""

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Span, SpanKind
from structlog.contextvars import bound_contextvars

from runtime.telemetry.kafka_headers import Headers, extract

_ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_state = {"enabled": False}
TRACER_NAME = "sqllint"


def enabled() -> bool:
    """True once :func:`configure_tracing` installed an exporting provider in this process."""
    return _state["enabled"]


def configure_tracing(service: str, worker_id: str) -> bool:
    """Install a batching OTLP/HTTP exporter when the environment names an endpoint; True if it did.

    ``OTEL_SERVICE_NAME`` overrides ``service`` as the name Jaeger shows.
    """
    if not any(os.environ.get(name) for name in _ENDPOINT_VARS):
        return False
    resource = Resource.create({
        "service.name": os.environ.get("OTEL_SERVICE_NAME") or service,
        "service.instance.id": worker_id,
    })
    provider = TracerProvider(resource=resource)  # flushed and shut down at interpreter exit
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _state["enabled"] = True
    return True


def tracer() -> trace.Tracer:
    """The pipeline's tracer (a no-op one while tracing is off)."""
    return trace.get_tracer(TRACER_NAME)


@contextmanager
def consuming(name: str, headers: Headers, **ids: object) -> Iterator[Span]:
    """A span continuing the trace of a consumed message, with ``ids`` bound to the log context.

    ``ids`` (``job_id``, ``task_id``) become span attributes and log fields
    alike, so a log line and its span can be found from each other.
    """
    fields = {key: str(value) for key, value in ids.items() if value is not None}
    with bound_contextvars(**fields):
        if not enabled():
            yield trace.INVALID_SPAN
            return
        attributes = {f"sqllint.{key}": value for key, value in fields.items()}
        with tracer().start_as_current_span(
            name, context=extract(headers), kind=SpanKind.CONSUMER, attributes=attributes
        ) as span:
            yield span


@contextmanager
def writing_batch(name: str, batch: Callable[[], Sequence[Headers]]) -> Iterator[None]:
    """One span for a batch, linked to every message's context, and one child of each job's trace.

    ``batch`` gives the messages' headers; it is called only while tracing.

    A batch mixes jobs; linking alone would leave each job's trace without
    the sink's write, so each distinct trace also gets a span (child of its
    last message in the batch) that links back to the batch span.
    """
    if not enabled():
        yield
        return
    parents = {}
    headers_of_batch = batch()
    for headers in headers_of_batch:
        context = extract(headers)
        span_context = trace.get_current_span(context).get_span_context()
        if span_context.is_valid:
            parents[span_context.trace_id] = (context, span_context)
    links = [Link(span_context) for _, span_context in parents.values()]
    with tracer().start_as_current_span(
        name, kind=SpanKind.CONSUMER, links=links, attributes={"sqllint.batch_size": len(headers_of_batch)}
    ) as span:
        back = [Link(span.get_span_context())]
        children = [
            tracer().start_span(name, context=context, kind=SpanKind.CONSUMER, links=back)
            for context, _ in parents.values()
        ]
        try:
            yield
        finally:
            for child in children:
                child.end()
