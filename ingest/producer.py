"""An asyncio face on confluent-kafka's Producer, answering only after the ack.

The 202 of the API is a promise that the job is durable, so ``publish``
resolves only on the broker's delivery report (``acks=all``, idempotent
producer) and raises :class:`KafkaUnavailableError` when it does not come.
Topic and key come from the one routing table, so the ingest cannot publish a
job where the processors do not read it, or under a key that breaks ordering.
librdkafka calls delivery callbacks from ``poll``; a dedicated thread polls
and hands each report back to the event loop with ``call_soon_threadsafe``.
Publishing binds the job's id to the request's log context and, when
tracing, is a producer span whose W3C context travels in the message headers.
"""

import asyncio
import logging
import threading
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from opentelemetry.trace import SpanKind
from structlog.contextvars import bind_contextvars

from runtime.kafka_admin import KafkaUnavailableError
from runtime.kafka_security import PLAINTEXT, KafkaSecurity
from runtime.telemetry.kafka_headers import inject
from runtime.telemetry.tracing import enabled, tracer
from schemas.codec import encode
from schemas.events import Record
from schemas.routing import route
from schemas.topics import TopicNames

log = logging.getLogger("ingest.kafka")
PRODUCER = SpanKind.PRODUCER
KafkaHeaders = list[tuple[str, bytes]] | None


class KafkaPublisher:
    """One long-lived producer per process; ``start``/``close`` bracket its life."""

    def __init__(
        self, bootstrap: str, topics: TopicNames, delivery_timeout_ms: int,
        security: KafkaSecurity = PLAINTEXT, **overrides: Any,
    ) -> None:
        self._topics = topics
        self._config: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            **security.confluent(),
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 5,
            "delivery.timeout.ms": delivery_timeout_ms,
            "socket.connection.setup.timeout.ms": min(delivery_timeout_ms, 10000),
            "logger": log,
            **overrides,
        }
        self._timeout_s = delivery_timeout_ms / 1000
        self._producer: Producer | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    async def start(self) -> None:
        """Create the producer and its poll thread (no broker round-trip yet)."""
        self._producer = Producer(self._config)
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll_loop, name="kafka-poll", daemon=True)
        self._thread.start()

    def _poll_loop(self) -> None:
        producer = self._producer
        while producer is not None and not self._stop.is_set():
            producer.poll(0.1)

    async def publish(self, event: Record) -> None:
        """Produce ``event`` where the routing table says, and wait for every in-sync replica."""
        if self._producer is None:
            raise KafkaUnavailableError("the Kafka producer is not started")
        topic, key = route(event, self._topics)
        job_id = getattr(event, "job_id", None)
        if job_id is not None:
            bind_contextvars(job_id=str(job_id))
        if not enabled():  # not tracing: not even a no-op span
            await self._produce(self._producer, topic, key, encode(event), None)
            return
        attributes = {"messaging.destination.name": topic, "sqllint.job_id": str(job_id)}
        with tracer().start_as_current_span(f"publish {topic}", kind=PRODUCER, attributes=attributes):
            await self._produce(self._producer, topic, key, encode(event), inject())

    async def _produce(
        self, producer: Producer, topic: str, key: bytes | None, value: bytes, headers: KafkaHeaders
    ) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def on_delivery(err: KafkaError | None, _msg: Message) -> None:
            loop.call_soon_threadsafe(_settle, done, err)

        extra = {} if headers is None else {"headers": headers}
        try:
            producer.produce(topic, value=value, key=key, on_delivery=on_delivery, **extra)
        except (BufferError, KafkaException) as exc:
            raise KafkaUnavailableError(f"cannot enqueue to {topic}: {exc}") from exc
        try:
            # librdkafka times the message out itself; the margin only guards a lost callback.
            await asyncio.wait_for(asyncio.shield(done), self._timeout_s + 5)
        except TimeoutError as exc:
            raise KafkaUnavailableError(f"no delivery report from {topic} in time") from exc

    def check_topic(self, topic: str, timeout: float) -> None:
        """Blocking readiness probe: the cluster answers and knows ``topic``."""
        if self._producer is None:
            raise KafkaUnavailableError("the Kafka producer is not started")
        try:
            # All topics, not just ``topic``: a producer's metadata request for one topic may auto-create it.
            metadata = self._producer.list_topics(timeout=timeout)
        except KafkaException as exc:
            raise KafkaUnavailableError(f"metadata request failed: {exc}") from exc
        found = metadata.topics.get(topic)
        if found is None or found.error is not None:
            raise KafkaUnavailableError(f"topic {topic} is not available")

    async def close(self) -> None:
        """Deliver what is queued (bounded), then stop the poll thread."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        await asyncio.to_thread(producer.flush, self._timeout_s)
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)


def _settle(done: asyncio.Future[None], err: KafkaError | None) -> None:
    if done.done():
        return
    if err is None:
        done.set_result(None)
    else:
        done.set_exception(KafkaUnavailableError(f"delivery failed: {err.str()}"))
