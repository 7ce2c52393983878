"""Fixtures of the ingest tests: a migrated database, settings, a served app, topic readers."""

import time
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from ingest.app import create_app
from ingest.settings import IngestSettings
from schemas.codec import decode
from schemas.events import JobSubmitted
from schemas.topics import TopicNames
from sink.migrate import upgrade


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """A migrated SQLite database (tests wanting MariaDB use ``mysql_migrated_url``)."""
    upgrade(sqlite_db_url)
    return sqlite_db_url


@pytest.fixture
def mysql_migrated_url(mysql_db_url: str) -> str:
    """A fresh MariaDB database at the head revision."""
    upgrade(mysql_db_url)
    return mysql_db_url


@pytest.fixture
def group() -> str:
    """A consumer group name nobody else uses."""
    return f"ops-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def storage_root(tmp_path: Path) -> Path:
    root = tmp_path / "storage"
    root.mkdir()
    return root


@pytest.fixture
def settings(
    kafka_bootstrap: str, topic_names: TopicNames, db_url: str, storage_root: Path
) -> IngestSettings:
    return IngestSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=db_url,
        nfs_share_root_path=storage_root,
        topics=topic_names,
        inline_max_bytes=1024,
        max_sql_bytes=64 * 1024,
        kafka_delivery_timeout_ms=15000,
        auth_required=False,  # these tests call without keys; tests/ingest/test_auth*.py turn it on
    )


@pytest.fixture
async def client(settings: IngestSettings) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


@pytest.fixture
async def reader(db_url: str, storage_root: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """An app that only reads: no broker is needed, the producer connects only when publishing."""
    settings = IngestSettings(
        kafka_bootstrap_servers="127.0.0.1:1", database_url=db_url, nfs_share_root_path=storage_root,
        auth_required=False,
    )
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


def topic_events(bootstrap: str, topic: str, group: str) -> list[tuple[str, JobSubmitted]]:
    """Every message on ``topic`` (counted by watermarks, so nothing is missed), decoded."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        expected = 0
        for p in partitions:
            low, high = _watermarks(consumer, TopicPartition(topic, p))
            expected += high - low
        consumer.subscribe([topic])
        events: list[tuple[str, JobSubmitted]] = []
        while len(events) < expected:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            events.append((msg.key().decode(), decode(msg.value(), JobSubmitted)))
        return events
    finally:
        consumer.close()


_ELECTION_CODES = frozenset(
    {KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE, KafkaError.UNKNOWN_TOPIC_OR_PART}
)


def _watermarks(consumer: Consumer, partition: TopicPartition) -> tuple[int, int]:
    """Watermarks, waiting out the leader election of a topic created a moment ago."""
    for _ in range(50):
        try:
            low, high = consumer.get_watermark_offsets(partition, timeout=10)
            return low, high
        except KafkaException as exc:
            if exc.args[0].code() not in _ELECTION_CODES:
                raise
            time.sleep(0.2)
    raise AssertionError(f"no leader for {partition}")


def make_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path
