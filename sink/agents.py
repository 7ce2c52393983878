"""The sink's agents: one per consumed topic, acking a batch only after its commit.

Acks happen after :meth:`BatchWriter.handle` returned (the stream's own acks are
off; ``stream.ack`` per event after the commit): a crash or a stop mid-batch
replays the batch, which the idempotent upserts absorb. A batch is written as
soon as the stream has nothing more ready (sink.batches), one at a time per topic
and in the stream's order. One agent per topic, so a slow topic never holds back
another's batches.
"""

import asyncio
from collections.abc import Callable

import faust
from faust.types import EventT, StreamT

from runtime.faust.publisher import raw_topic
from schemas.events import Record
from schemas.routing import TopicField, events_on
from sink.batches import DrainingBatches
from sink.settings import SinkSettings
from sink.writer import BatchWriter

# The topics whose events become rows; dead letters and the lint cache are not the sink's.
CONSUMED: tuple[TopicField, ...] = ("jobs", "tasks", "progress", "lint_results")


def expected_events(settings: SinkSettings) -> dict[str, tuple[type[Record], ...]]:
    """Which events each consumed topic may carry (the routing table says); anything else is dead-lettered."""
    return {getattr(settings.topics, field): events_on(field) for field in CONSUMED}


def register_agents(app: faust.App, settings: SinkSettings, writer: BatchWriter) -> None:
    """Attach one agent per consumed topic."""
    for topic_name, expected in expected_events(settings).items():
        app.agent(raw_topic(app, topic_name), name=f"sink.{topic_name}")(
            _consumer(settings, writer, expected)
        )


def _consumer(
    settings: SinkSettings, writer: BatchWriter, expected: tuple[type[Record], ...]
) -> Callable[[StreamT], object]:
    async def consume(stream: StreamT) -> None:
        stream.enable_acks = False  # acked below, once the batch is committed
        batches: DrainingBatches[EventT] = DrainingBatches(
            settings.batch_size, settings.batch_window_seconds, settings.batch_linger_seconds
        )
        collecting = asyncio.create_task(batches.collect(stream.events()), name="sink.collect")
        try:
            while events := await batches.take():
                await writer.handle(events, expected)
                for event in events:
                    await stream.ack(event)
            await collecting  # the stream ended: its error, if it had one, is the agent's
        finally:
            collecting.cancel()
            await asyncio.gather(collecting, return_exceptions=True)

    return consume
