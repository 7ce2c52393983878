"""The ingest's live feed reads committed records only: an aborted transaction's result is never shown.

Both results go to partition 0 of lint-results, the aborted one first: once the
committed one is delivered, the reader has passed the aborted one's offset.
"""

import asyncio
import threading
import time
import uuid

import pytest
from aiokafka import AIOKafkaProducer

from ingest.event_feed import EventFeed
from schemas.codec import encode
from schemas.events import Record
from schemas.topics import TopicNames
from tests.sink._events import JobEvents

pytestmark = pytest.mark.integration


async def write(bootstrap: str, topic: str, key: str, record: Record, *, commit: bool) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"t-{uuid.uuid4().hex}")
    await producer.start()
    try:
        await producer.begin_transaction()
        await producer.send_and_wait(topic, encode(record), key=key.encode(), partition=0)
        await (producer.commit_transaction() if commit else producer.abort_transaction())
    finally:
        await producer.stop()


def test_the_live_feed_skips_an_aborted_transaction(kafka_bootstrap: str, topic_names: TopicNames) -> None:
    ev = JobEvents()
    job_id = str(ev.job_id)
    seen: list[Record] = []
    delivered = threading.Event()

    def deliver(_job: str, event: Record) -> None:
        seen.append(event)
        delivered.set()

    feed = EventFeed(kafka_bootstrap, topic_names.progress, topic_names.lint_results, deliver,
                     lambda: frozenset({job_id}))
    feed.start()
    try:
        assert feed.assigned.wait(30), "the feed never assigned its partitions"
        aborted, committed = ev.failure(0), ev.success(1)
        asyncio.run(write(kafka_bootstrap, topic_names.lint_results, job_id, aborted, commit=False))
        asyncio.run(write(kafka_bootstrap, topic_names.lint_results, job_id, committed, commit=True))
        assert delivered.wait(30), "the committed result never reached the feed"
        time.sleep(0.5)  # anything else polled with it would be in ``seen`` by now
    finally:
        feed.close()
    assert seen == [committed]
