"""Producing events where the routing table says, as the bytes our codec writes.

Topics and keys come from :func:`schemas.routing.route` only, so a service
never decides on its own where an event goes or how it is partitioned. Every
message carries the current span's trace context in its headers (when
tracing), so the consumer's span continues the producer's trace.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import faust
from faust.types import TopicT

from runtime.telemetry.kafka_headers import inject
from schemas.codec import encode
from schemas.events import Record
from schemas.routing import TopicField, route
from schemas.topics import TopicNames


class Sender(Protocol):
    """What publishing needs of a topic: Faust's ``TopicT.send``."""

    async def send(
        self, *, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] | None = None
    ) -> Awaitable[Any]:
        """Hand a message to the producer; the returned future resolves on the brokers' ack."""
        ...


def raw_topic(app: faust.App, name: str) -> TopicT:
    """Bytes in, bytes out: the codec, not Faust, validates the payloads."""
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


@dataclass(frozen=True)
class Outgoing:
    """One routed, encoded message: what a transaction sends later, as the publisher would now."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] | None


class Publisher:
    """Routes and encodes events onto topics made (once per name) by ``topic``."""

    def __init__(self, names: TopicNames, topic: Callable[[str], Sender]) -> None:
        self.names = names
        self._make_topic = topic
        self._topics: dict[str, Sender] = {}

    @classmethod
    def for_app(cls, app: faust.App, names: TopicNames) -> "Publisher":
        """A publisher producing through ``app``'s producer."""
        return cls(names, lambda name: raw_topic(app, name))

    def topic(self, name: str) -> Sender:
        """The topic called ``name``, made on first use."""
        if name not in self._topics:
            self._topics[name] = self._make_topic(name)
        return self._topics[name]

    async def publish(
        self, event: Record, key: bytes | None = None, lane: TopicField | None = None
    ) -> Awaitable[Any]:
        """Send ``event``; ``key`` only for events routed without one (a dead letter keeps its original).

        ``lane``: down that lane of the event's topic (:data:`schemas.routing.LANES`).
        Returns once the producer took the message; await the result for the brokers' ack.
        """
        return await self._send(self.outgoing(event, key, lane))

    def outgoing(self, event: Record, key: bytes | None = None, lane: TopicField | None = None) -> Outgoing:
        """The message ``publish`` would send: topic and key from the routing table, our codec's bytes."""
        name, routed_key = route(event, self.names, key, lane)
        return Outgoing(name, routed_key, encode(event), inject())

    async def _send(self, message: Outgoing) -> Awaitable[Any]:
        topic = self.topic(message.topic)
        if message.headers is None:  # not tracing: the message is exactly what it was before tracing existed
            return await topic.send(key=message.key, value=message.value)
        return await topic.send(key=message.key, value=message.value, headers=message.headers)


class Buffered(Publisher):
    """A publisher that keeps its messages for one transaction instead of sending them.

    Handlers publish through it exactly as through the live one; the
    transaction then sends :attr:`messages` with the input's offset, so nothing
    of a half-handled event is ever visible to a ``read_committed`` reader.
    """

    def __init__(self, names: TopicNames) -> None:
        super().__init__(names, self._no_topic)
        self.messages: list[Outgoing] = []

    @staticmethod
    def _no_topic(name: str) -> Sender:
        raise LookupError(f"a buffered publisher sends nothing itself (asked for topic {name})")

    async def _send(self, message: Outgoing) -> Awaitable[Any]:
        self.messages.append(message)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)  # kept, not sent: the transaction's commit is the real acknowledgement
        return done
