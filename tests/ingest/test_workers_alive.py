"""``sql_linting_workers_alive{role}``: the fresh heartbeats by role, as the no-worker alert reads them."""

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from confluent_kafka import Producer

from ingest.app import create_app
from ingest.scrape import alive_by_role
from ingest.settings import IngestSettings
from schemas.codec import encode
from schemas.routing import route
from schemas.topics import TopicNames
from tests.ingest.beats import eventually, heartbeat, publish

Client = TestClient[web.Request, web.Application]
ALIVE = re.compile(r'^sql_linting_workers_alive\{role="(\w+)"\} (\S+)$', re.MULTILINE)


def test_every_role_is_counted_and_stale_beats_are_not() -> None:
    fresh, young, stale = (heartbeat(f"processors@a-{i}", age_s=age) for i, age in enumerate((0, 3, 30)))
    beats = {b.worker_id: b for b in (fresh, young, stale)}
    assert alive_by_role(beats, datetime.now(UTC), 10.0) == {"processors": 2, "sink": 0}
    assert alive_by_role({}, datetime.now(UTC), 10.0) == {"processors": 0, "sink": 0}


@pytest.fixture
async def ops(settings: IngestSettings) -> AsyncIterator[Client]:
    watched = settings.model_copy(update={"worker_stale_after_s": 5.0})
    async with TestClient(TestServer(create_app(watched))) as client:
        yield client


async def _until(client: Client, wanted: dict[str, float]) -> None:
    async def probe() -> dict[str, float] | None:
        text = await (await client.get("/metrics")).text()
        got = {role: float(value) for role, value in ALIVE.findall(text)}
        return got if got == wanted else None

    await eventually(probe)


@pytest.mark.integration
async def test_the_gauge_follows_heartbeats_and_tombstones(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    # Only a stale heartbeat on the topic, read to its end: every role at 0 (not absent), so the alert fires.
    publish(kafka_bootstrap, topic_names, heartbeat("sink@gone-1", "sink", age_s=60))
    await _until(ops, {"processors": 0.0, "sink": 0.0})
    publish(kafka_bootstrap, topic_names, heartbeat("processors@h-1"), heartbeat("processors@h-2"),
            heartbeat("sink@h-3", "sink"))
    await _until(ops, {"processors": 2.0, "sink": 1.0})
    publish(kafka_bootstrap, topic_names, tombstones=("processors@h-2",))
    await _until(ops, {"processors": 1.0, "sink": 1.0})


@pytest.mark.integration
async def test_the_gauge_appears_while_workers_beat_faster_than_a_fetch_waits(
    settings: IngestSettings, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    """A fetch then always returns a new heartbeat, so the end of the partition is never reported."""
    stop = threading.Event()

    def beat() -> None:
        producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all", "linger.ms": 0})
        while not stop.is_set():
            topic, key = route(heartbeat("processors@busy-1"), topic_names)
            producer.produce(topic, key=key, value=encode(heartbeat("processors@busy-1")))
            producer.flush(5)
            stop.wait(0.05)

    beating = threading.Thread(target=beat, daemon=True)
    beating.start()
    try:
        await asyncio.sleep(0.5)  # the beats flow before the ingest starts reading
        async with TestClient(TestServer(create_app(settings))) as client:
            await _until(client, {"processors": 1.0, "sink": 0.0})
    finally:
        stop.set()
        beating.join(10)
