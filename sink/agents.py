"""The sink's agents: decode a batch, write it in one transaction, then ack it.

Acks happen only after the commit (``noack_take`` + ``stream.ack``), so the
offsets faust commits never run ahead of the database: a crash or a stop
mid-batch replays the batch, which the idempotent upserts absorb. While the
database is unavailable the batch is retried with backoff and nothing is
acked. Only a message that can never be written (undecodable, or refused by
the database for its data) goes to the dead-letter topic, so one bad message
cannot stall a partition.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence

import faust
from faust.types import EventT, StreamT, TopicT
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from schemas.codec import decode, encode
from schemas.errors import SchemaError
from schemas.events import (
    DeadLetter,
    ErrorInfo,
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintResult,
    LintTask,
    Record,
    TaskRegistered,
    TaskStarted,
)
from sink.metrics import DB_RETRIES, DEAD_LETTERS, EVENTS_WRITTEN
from sink.settings import SinkSettings
from sink.store import write_batch

log = logging.getLogger(__name__)

# Errors that say "not now" rather than "never": the database is down, busy, or deadlocked.
_RETRYABLE = (DBAPIError, DisconnectionError, PoolTimeoutError)
# Errors that say the data itself is refused: retrying the same rows cannot help.
_REFUSED = (IntegrityError, DataError)
_PAYLOAD_LIMIT = 65536
_FIRST_DELAY = 0.5


class BatchWriter:
    """Turns one batch of Kafka events into one committed transaction (or dead letters)."""

    def __init__(self, settings: SinkSettings, engine: Callable[[], Engine], dead_letters: TopicT) -> None:
        self.settings = settings
        self._engine = engine
        self._dead_letters = dead_letters

    async def handle(self, events: Sequence[EventT], expected: tuple[type[Record], ...]) -> None:
        """Decode, dead-letter what cannot be decoded, commit the rest; returns once durable."""
        decoded: list[tuple[EventT, Record]] = []
        for event in events:
            try:
                decoded.append((event, decode(event.value or b"", *expected)))
            except SchemaError as exc:
                await self.dead_letter(event, exc.code, exc.message)
        if not decoded:
            return
        refused = await self._commit([record for _, record in decoded])
        if refused is not None:
            # Find the culprit(s) one event at a time; the others still get written.
            for event, record in decoded:
                error = await self._commit([record])
                if error is not None:
                    await self.dead_letter(event, "SINK_WRITE_REFUSED", str(error.orig or error))
        EVENTS_WRITTEN.labels(topic=events[0].message.topic).inc(len(decoded))

    async def _commit(self, records: list[Record]) -> DBAPIError | None:
        """Write in one transaction, retrying while the database is unavailable; the refusal if refused."""
        delay = _FIRST_DELAY
        while True:
            try:
                await asyncio.to_thread(write_batch, self._engine(), records)
                return None
            except _REFUSED as exc:
                return exc
            except _RETRYABLE as exc:
                DB_RETRIES.inc()
                log.warning(
                    "database write failed (%s); retrying in %.1fs, offsets not committed", exc, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.db_retry_max_seconds)

    async def dead_letter(self, event: EventT, code: str, message: str) -> None:
        """Publish the message with the reason, and wait for the broker to acknowledge it."""
        msg = event.message
        payload = event.value or b""
        letter = DeadLetter(
            source_topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
            error=ErrorInfo(code=code, message=message[:4096]),
            payload=bytes(payload[:_PAYLOAD_LIMIT]).decode("utf-8", errors="replace"),
        )
        log.warning("dead-lettering %s[%d]@%d: %s %s", msg.topic, msg.partition, msg.offset, code, message)
        delivery = await self._dead_letters.send(key=msg.key, value=encode(letter))
        await delivery
        DEAD_LETTERS.labels(topic=msg.topic, code=code).inc()


def expected_events(settings: SinkSettings) -> dict[str, tuple[type[Record], ...]]:
    """Which events each consumed topic may carry; anything else is dead-lettered."""
    names = settings.topics
    return {
        names.jobs: (JobSubmitted,),
        names.tasks: (LintTask,),
        names.progress: (JobExpanded, JobRejected, TaskRegistered, TaskStarted),
        names.lint_results: (LintResult,),
    }


def raw_topic(app: faust.App, name: str) -> TopicT:
    """Bytes in, bytes out: the codec, not faust, validates the payloads."""
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def register_agents(app: faust.App, settings: SinkSettings, writer: BatchWriter) -> None:
    """One agent per consumed topic, so a slow topic never holds back another's batches."""
    for topic_name, expected in expected_events(settings).items():
        app.agent(raw_topic(app, topic_name), name=f"sink.{topic_name}")(
            _consumer(settings, writer, expected)
        )


def _consumer(
    settings: SinkSettings, writer: BatchWriter, expected: tuple[type[Record], ...]
) -> Callable[[StreamT], object]:
    async def consume(stream: StreamT) -> None:
        batches = stream.noack_take(settings.batch_size, within=settings.batch_window_seconds)
        async for events in batches:
            await writer.handle(events, expected)
            for event in events:
                await stream.ack(event)

    return consume
