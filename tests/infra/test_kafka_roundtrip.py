"""The broker the suite runs against really stores and returns what an idempotent producer sends."""

import pytest
from confluent_kafka import Consumer, Producer

from schemas.topics import TopicNames

pytestmark = pytest.mark.integration


def test_produce_consume_round_trip(kafka_bootstrap: str, topic_names: TopicNames, unique_id: str) -> None:
    sent = [(f"key-{i}".encode(), f"payload-{i}-{unique_id}".encode()) for i in range(20)]
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all", "enable.idempotence": True})
    errors: list[object] = []
    for key, value in sent:
        producer.produce(topic_names.jobs, value, key, on_delivery=lambda err, _msg: errors.append(err))
    assert producer.flush(30) == 0
    assert errors == [None] * len(sent)

    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": f"smoke-{unique_id}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic_names.jobs])
    received: list[tuple[bytes, bytes]] = []
    try:
        for _ in range(120):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append((msg.key(), msg.value()))
            if len(received) >= len(sent):
                break
    finally:
        consumer.close()
    assert sorted(received) == sorted(sent)
