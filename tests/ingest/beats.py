"""Heartbeats and offsets written the way workers write them, for the operations tests.

Heartbeats go through the codec and the routing table, exactly as a worker's
publisher sends them, onto the test's private workers topic.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from schemas.codec import decode, encode
from schemas.routing import route
from schemas.topics import TopicNames
from schemas.worker_events import HostUsage, WorkerControl, WorkerHeartbeat

T = TypeVar("T")
USAGE = HostUsage(
    cpu_percent=12.5,
    cpu_count=4,
    memory_total_bytes=8 << 30,
    memory_used_bytes=2 << 30,
    disk_total_bytes=100 << 30,
    disk_used_bytes=40 << 30,
    load_1m=0.5,
)


def heartbeat(
    worker_id: str, role: str = "processors", *, age_s: float = 0, **fields: Any
) -> WorkerHeartbeat:
    """A heartbeat sent ``age_s`` seconds ago by a worker started a minute before."""
    sent = datetime.now(UTC) - timedelta(seconds=age_s)
    values: dict[str, Any] = {
        "worker_id": worker_id,
        "role": role,
        "host": "host-a",
        "pid": 4321,
        "consumer_group": f"never-joined-{role}",
        "client_id": "",
        "state": "running",
        "started_at": sent - timedelta(seconds=60),
        "sent_at": sent,
        "interval_s": 2.0,
    }
    return WorkerHeartbeat.model_validate({**values, **fields})


def publish(
    bootstrap: str, names: TopicNames, *beats: WorkerHeartbeat, tombstones: tuple[str, ...] = ()
) -> None:
    """Heartbeats (and tombstones by worker id) on the workers topic, acknowledged by the broker."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for beat in beats:
        topic, key = route(beat, names)
        producer.produce(topic, key=key, value=encode(beat))
    for worker_id in tombstones:
        producer.produce(names.workers, key=worker_id.encode(), value=None)
    assert producer.flush(15) == 0


def produce(bootstrap: str, topic: str, count: int, partition: int = 0) -> None:
    """``count`` opaque messages on one partition."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for i in range(count):
        producer.produce(topic, value=b"{}", key=str(i).encode(), partition=partition)
    assert producer.flush(15) == 0


def commit(bootstrap: str, group: str, topic: str, offsets: dict[int, int]) -> None:
    """Commit ``offsets`` for ``group`` without joining it: a reader that got that far."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=False)
    finally:
        consumer.close()


async def eventually(
    probe: Callable[[], Awaitable[T | None]], within: float = 30, interval: float = 0.2
) -> T:
    """The first non-None value of ``probe``; AssertionError after ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await probe()
        if value is not None:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"nothing within {within}s")


def control_events(bootstrap: str, topic: str) -> list[tuple[bytes, WorkerControl]]:
    """Every control action on the (one-partition) control topic, with its key."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    try:
        end = _end_offset(consumer, TopicPartition(topic, 0))
        consumer.assign([TopicPartition(topic, 0, 0)])
        events = []
        while len(events) < end:
            msg = consumer.poll(1.0)
            if msg is not None and msg.error() is None:
                events.append((msg.key(), decode(msg.value(), WorkerControl)))
        return events
    finally:
        consumer.close()


def _end_offset(consumer: Consumer, partition: TopicPartition) -> int:
    """The end offset, waiting out the leader election of a topic created a moment ago."""
    for _ in range(50):
        try:
            return int(consumer.get_watermark_offsets(partition, timeout=10)[1])
        except KafkaException as exc:
            if not exc.args[0].retriable() and exc.args[0].code() != KafkaError.NOT_LEADER_FOR_PARTITION:
                raise
            time.sleep(0.2)
    raise AssertionError(f"no leader for {partition}")
