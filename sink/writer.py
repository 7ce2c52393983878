"""One batch of Kafka events in, one committed transaction (or dead letters) out.

A batch is durable when :meth:`BatchWriter.handle` returns, so the agents can
ack it: the offsets Faust commits never run ahead of the database. While the
database is unavailable the batch is retried with backoff and nothing is
acked. Only a message that can never be written (undecodable, or refused by
the database for its data) goes to the dead-letter topic, so one bad message
cannot stall a partition.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from faust.types import EventT
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from runtime.faust.dead_letters import DeadLetters
from runtime.faust.worker_state import WorkerState
from runtime.telemetry.tracing import writing_batch
from schemas.codec import decode
from schemas.error_codes import ErrorCode
from schemas.errors import SchemaError, error_info, failure
from schemas.events import ErrorInfo, LintResult, Record
from schemas.statuses import TaskStatus
from sink.metrics import SinkMetrics
from sink.settings import SinkSettings
from sink.store import write_batch

log = logging.getLogger(__name__)

# Errors that say "not now" rather than "never": the database is down, busy, or deadlocked.
_RETRYABLE = (DBAPIError, DisconnectionError, PoolTimeoutError)
# Errors that say the data itself is refused: retrying the same rows cannot help.
_REFUSED = (IntegrityError, DataError)
_FIRST_DELAY = 0.5


class BatchWriter:
    """Decodes a batch, writes it in one transaction, and parks what can never be written."""

    def __init__(
        self,
        settings: SinkSettings,
        engine: Callable[[], Engine],
        letters: DeadLetters,
        metrics: SinkMetrics,
        state: WorkerState | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.state = state  # the worker's account: its files are the results it wrote
        self._engine = engine
        self._dead_letters = letters

    async def handle(self, events: Sequence[EventT], expected: tuple[type[Record], ...]) -> None:
        """Decode, dead-letter what cannot be decoded, commit the rest; returns once durable.

        Traced as one span linked to every message's trace, and a span in each job's trace.
        """
        with writing_batch("sink.write", lambda: [event.message.headers for event in events]):
            await self._handle(events, expected)

    async def _handle(self, events: Sequence[EventT], expected: tuple[type[Record], ...]) -> None:
        decoded: list[tuple[EventT, Record]] = []
        for event in events:
            try:
                decoded.append((event, decode(event.value or b"", *expected)))
            except SchemaError as exc:
                await self.dead_letter(event, error_info(exc))
        if not decoded:
            return
        self.metrics.batch_size.observe(len(decoded))
        refused = await self._commit([record for _, record in decoded])
        if refused is not None:
            # Find the culprit(s) one event at a time; the others still get written.
            for event, record in decoded:
                error = await self._commit([record])
                if error is not None:
                    refusal = failure(ErrorCode.SINK_WRITE_REFUSED, str(error.orig or error))
                    await self.dead_letter(event, refusal)
        self.metrics.events_written.labels(topic=events[0].message.topic).inc(len(decoded))

    async def _commit(self, records: list[Record]) -> DBAPIError | None:
        """Write in one transaction, retrying while the database is unavailable; the refusal if refused."""
        delay = _FIRST_DELAY
        while True:
            try:
                started = time.perf_counter()
                finished = await asyncio.to_thread(write_batch, self._engine(), records)
                self.metrics.write_duration.observe(time.perf_counter() - started)
                self.metrics.finished(finished)
                self._account(records)
                return None
            except _REFUSED as exc:
                return exc
            except _RETRYABLE as exc:
                self.metrics.db_retries.inc()
                log.warning(  # the driver's words only: the statement's parameters hold the results
                    "database write failed (%s); retrying in %.1fs, offsets not committed",
                    getattr(exc, "orig", None) or type(exc).__name__, delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.db_retry_max_seconds)

    async def dead_letter(self, event: EventT, error: ErrorInfo) -> None:
        """Park the message, and wait for the brokers to acknowledge it before the batch is acked."""
        delivery = await self._dead_letters.publish(event, error)
        await delivery

    def _account(self, records: list[Record]) -> None:
        """Committed results count as this worker's files done or failed (a replay counts again)."""
        if self.state is None:
            return
        for record in records:
            if isinstance(record, LintResult):
                self.state.task_finished(record.task_id, failed=record.status is TaskStatus.FAILURE)
