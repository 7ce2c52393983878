"""The sink's agents: one per consumed topic, acking a batch only after its commit.

Acks happen after :meth:`BatchWriter.handle` returned (``noack_take`` +
``stream.ack``): a crash or a stop mid-batch replays the batch, which the
idempotent upserts absorb. One agent per topic, so a slow topic never holds
back another's batches.
"""

from collections.abc import Callable

import faust
from faust.types import StreamT

from runtime.faust.publisher import raw_topic
from schemas.events import Record
from schemas.routing import TopicField, events_on
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
        batches = stream.noack_take(settings.batch_size, within=settings.batch_window_seconds)
        async for events in batches:
            await writer.handle(events, expected)
            for event in events:
                await stream.ack(event)

    return consume
