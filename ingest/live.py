"""The live-progress resources of one app: the event hub and the feed that fills it.

Kept under an app key of their own (not in ``Services``) so the event streams
are one feature added beside the rest. The cleanup context starts the feed's
thread once the loop runs and stops it at exit; ``close_streams`` runs at
shutdown, before aiohttp waits for handlers to finish, so open streams end
at once (each with a comment saying why) instead of holding the stop for the
whole shutdown timeout.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from ingest.event_feed import EventFeed
from ingest.event_hub import EventHub
from ingest.settings import IngestSettings
from runtime.kafka_security import kafka_security


@dataclass(frozen=True)
class Live:
    """The hub the handlers subscribe to, and its feed."""

    hub: EventHub
    feed: EventFeed


LIVE = web.AppKey("live", Live)


def build_live(settings: IngestSettings) -> Live:
    """A hub and a feed handing events to it, not yet started."""
    hub = EventHub(settings.events_queue_size)
    topics = settings.topics
    feed = EventFeed(
        settings.kafka_bootstrap_servers,
        topics.progress,
        topics.lint_results,
        deliver=hub.publish_threadsafe,
        watched=lambda: hub.watched,
        security=kafka_security(settings),
    )
    return Live(hub, feed)


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    """The app's cleanup context: start the feed; at exit close the streams and stop it."""
    live = app[LIVE]
    live.hub.open(asyncio.get_running_loop())
    live.feed.start()
    try:
        yield
    finally:
        live.hub.close()
        await asyncio.to_thread(live.feed.close)


async def close_streams(app: web.Application) -> None:
    """At shutdown: end every open stream (clients reconnect elsewhere with Last-Event-ID)."""
    app[LIVE].hub.close()
