"""Reading what an app produced, for the integration tests."""

import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, Message


def consume_messages(
    bootstrap: str, topic: str, done: Callable[[list[Message]], bool], polls: int = 400
) -> list[Message]:
    """Messages of ``topic`` from the beginning (a fresh group) until ``done`` says enough."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4()}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    received: list[Message] = []
    try:
        for _ in range(polls):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(msg)
            if done(received):
                break
    finally:
        consumer.close()
    return received


def consume_until(
    bootstrap: str, topic: str, done: Callable[[list[bytes]], bool], polls: int = 400
) -> list[bytes]:
    """Values of ``topic`` from the beginning (a fresh group) until ``done`` says enough."""
    values: list[bytes] = []

    def enough(messages: list[Message]) -> bool:
        values.extend(m.value() for m in messages[len(values) :])
        return done(values)

    consume_messages(bootstrap, topic, enough, polls)
    return values
