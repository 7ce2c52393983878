"""W3C trace context (``traceparent``/``tracestate``) in Kafka message headers.

A job crosses three processes over Kafka; the producer writes the current
span's context into the message's headers and the consumer continues from
it, so one trace holds the ingest's request, the expansion, every file's
lint and the sink's writes. No span, no headers: nothing is added to a
message while tracing is off.
"""

from collections.abc import Iterable, Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context

# What producers accept and consumers hand us: confluent-kafka and aiokafka lists of pairs, or a mapping.
Headers = Iterable[tuple[str, bytes | str | None]] | Mapping[str, bytes | str | None] | None


def inject() -> list[tuple[str, bytes]] | None:
    """The current span's context as message headers, or None when no span is recording."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(key, value.encode("ascii")) for key, value in carrier.items()] or None


def _as_text(headers: Headers) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
    text: dict[str, str] = {}
    for key, value in pairs:
        if isinstance(value, bytes):
            text[key.lower()] = value.decode("ascii", "replace")
        elif isinstance(value, str):
            text[key.lower()] = value
    return text


def extract(headers: Headers) -> Context:
    """The context a message's headers carry (an empty one when they carry none)."""
    return propagate.extract(_as_text(headers))
