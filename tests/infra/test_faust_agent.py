"""faust-streaming runs an agent against the suite's broker: consume one topic, produce to another."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import faust
import pytest
from confluent_kafka import Consumer, Producer

from schemas.topics import TopicNames

pytestmark = pytest.mark.integration


def _consume(bootstrap: str, topic: str, group: str, count: int) -> list[tuple[bytes, bytes]]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    received: list[tuple[bytes, bytes]] = []
    try:
        for _ in range(240):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append((msg.key(), msg.value()))
            if len(received) >= count:
                break
    finally:
        consumer.close()
    return received


async def test_faust_agent_transforms_between_topics(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, tmp_path: Path
) -> None:
    app = faust.App(
        f"smoke-{unique_id}",
        broker=f"kafka://{kafka_bootstrap}",
        datadir=str(tmp_path),
        web_enabled=False,
        topic_disable_leader=True,
        key_serializer="raw",
        value_serializer="raw",
    )
    source = app.topic(topic_names.jobs, value_type=bytes)
    sink = app.topic(topic_names.progress, value_type=bytes)

    @app.agent(source)
    async def upper(stream: AsyncIterator[bytes]) -> None:
        async for event in stream.events():
            await sink.send(key=event.key, value=event.value.upper())

    words = [f"word-{i}-{unique_id}" for i in range(10)]
    await app.start()
    try:
        producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
        for word in words:
            producer.produce(topic_names.jobs, word.encode(), word.encode())
        assert producer.flush(30) == 0
        received = await asyncio.to_thread(
            _consume, kafka_bootstrap, topic_names.progress, f"out-{unique_id}", len(words)
        )
    finally:
        await app.stop()
    assert sorted(received) == sorted((w.encode(), w.upper().encode()) for w in words)
