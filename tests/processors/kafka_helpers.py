"""Reading what the processors app produced, for the integration tests."""

import uuid
from collections.abc import Callable

from confluent_kafka import Consumer


def consume_until(
    bootstrap: str, topic: str, done: Callable[[list[bytes]], bool], polls: int = 400
) -> list[bytes]:
    """Values of ``topic`` from the beginning (a fresh group) until ``done`` says enough."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4()}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    received: list[bytes] = []
    try:
        for _ in range(polls):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(msg.value())
            if done(received):
                break
    finally:
        consumer.close()
    return received
