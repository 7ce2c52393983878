"""The kit's app against the real broker: resources around the agents, dead letters, ``/metrics``."""

import asyncio
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from faust.types import StreamT
from prometheus_client import Counter

from runtime.faust.app import WorkerApp, build_app
from runtime.faust.dead_letters import PAYLOAD_CHARS
from runtime.faust.publisher import raw_topic
from runtime.faust.resources import WorkerResources
from runtime.settings import WorkerSettings
from schemas.codec import decode
from schemas.error_codes import ErrorCode
from schemas.errors import failure
from schemas.events import DeadLetter
from schemas.topics import TopicNames
from tests.processors.kafka_helpers import consume_messages

pytestmark = pytest.mark.integration


class _Probe(WorkerResources[WorkerSettings]):
    """Real resources that note what the app looked like when they were opened and closed."""

    def __init__(self, settings: WorkerSettings) -> None:
        super().__init__(settings)
        self.worker: WorkerApp | None = None
        self.seen: dict[str, object] = {}

    async def open(self) -> None:
        """Runs after the kit created the topics, before any agent."""
        assert self.worker is not None
        admin = AdminClient({"bootstrap.servers": self.settings.kafka_bootstrap_servers})
        existing = await asyncio.to_thread(lambda: set(admin.list_topics(timeout=30).topics))
        self.seen["topics at open"] = set(self.settings.topics.model_dump().values()) <= existing
        self.seen["agents started at open"] = any(a.started for a in self.worker.app.agents.values())

    async def close(self) -> None:
        """Runs after every agent stopped."""
        assert self.worker is not None
        self.seen["agents stopping at close"] = all(a.should_stop for a in self.worker.app.agents.values())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fresh_topics(kafka_bootstrap: str, unique_id: str) -> Iterator[TopicNames]:
    """Names nobody created yet: the kit's resources must create them."""
    names = TopicNames(**{f: f"kit.{unique_id}.{f.replace('_', '-')}" for f in TopicNames.model_fields})
    yield names
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.delete_topics(list(names.model_dump().values()), operation_timeout=30).values():
        future.result(30)


def _park_everything(worker: WorkerApp, names: TopicNames) -> None:
    parked = Counter("kit_parked", "Messages the test agent parked.", registry=worker.metrics)

    @worker.app.agent(raw_topic(worker.app, names.jobs), name="kit.park")
    async def park(stream: StreamT) -> None:
        async for event in stream.events():
            error = failure(ErrorCode.INVALID_EVENT, "parked by the test")
            await (await worker.dead_letters.publish(event, error))
            parked.inc()


async def test_resources_wrap_the_agents_and_bad_messages_are_parked_and_counted(
    kafka_bootstrap: str, fresh_topics: TopicNames, unique_id: str, tmp_path: Path
) -> None:
    port = _free_port()
    settings = WorkerSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topics=fresh_topics,
        consumer_group_id=f"kit-{unique_id}",
        metrics_port=port,
        faust_datadir=tmp_path,
    )
    probe = _Probe(settings)
    worker = probe.worker = build_app(settings, probe)
    _park_everything(worker, fresh_topics)
    payload = ("é" * (PAYLOAD_CHARS + 100)).encode()
    await worker.app.start()
    try:
        producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
        producer.produce(fresh_topics.jobs, payload, b"job-key")
        assert producer.flush(30) == 0
        letters = await asyncio.to_thread(
            consume_messages, kafka_bootstrap, fresh_topics.dead_letter, lambda got: len(got) >= 1
        )
        url = f"http://127.0.0.1:{port}/metrics"
        page = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read().decode())
    finally:
        await worker.app.stop()

    assert probe.seen == {
        "topics at open": True,
        "agents started at open": False,
        "agents stopping at close": True,
    }
    [message] = letters
    assert message.key() == b"job-key"
    letter = decode(message.value(), DeadLetter)
    assert (letter.source_topic, letter.offset, letter.error.code) == (fresh_topics.jobs, 0, "INVALID_EVENT")
    assert letter.payload == "é" * PAYLOAD_CHARS
    assert "kit_parked_total 1.0" in page.splitlines()
