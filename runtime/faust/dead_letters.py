"""Parking a message that can never be handled, with the reason, on the dead-letter topic.

One agent's bad message must not stall its partition: it is kept, keyed by
its original key so an operator can find its job, with where it came from
and at most :data:`PAYLOAD_CHARS` characters of what it said.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faust.types import EventT

from runtime.faust.publisher import Publisher
from schemas.events import DeadLetter, ErrorInfo

log = logging.getLogger(__name__)
# A dead letter is for reading, not replaying: enough of the payload to recognise it.
PAYLOAD_CHARS = 65536
# A UTF-8 character is at most 4 bytes: decoding this many never yields fewer characters than kept.
_PAYLOAD_BYTES = 4 * PAYLOAD_CHARS


def payload_text(raw: object) -> str:
    """The payload as UTF-8 text (invalid bytes replaced), cut to :data:`PAYLOAD_CHARS` characters.

    Only the first bytes that can matter are decoded, so a huge message costs no more than a small one.
    """
    data = raw if isinstance(raw, bytes) else b""
    return data[:_PAYLOAD_BYTES].decode("utf-8", "replace")[:PAYLOAD_CHARS]


class DeadLetters:
    """The one way a service parks a message."""

    def __init__(self, publisher: Publisher, counted: Callable[[str, str], None] | None = None) -> None:
        self._publisher = publisher
        self._counted = counted  # (source topic, error code) of each parked message, for the metrics

    def through(self, publisher: Publisher) -> "DeadLetters":
        """The same parking, counted the same, sent by ``publisher`` (a transaction's buffer)."""
        return DeadLetters(publisher, self._counted)

    async def publish(self, event: EventT, error: ErrorInfo) -> Awaitable[Any]:
        """Send the message's dead letter; await the result for the brokers' ack."""
        message = event.message
        log.warning(
            "dead-lettering %s[%s]@%s: %s %s",
            message.topic,
            message.partition,
            message.offset,
            error.code,
            error.message,
        )
        letter = DeadLetter(
            source_topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            error=error,
            payload=payload_text(event.value),
        )
        key = message.key if isinstance(message.key, bytes) else None
        delivery = await self._publisher.publish(letter, key)
        if self._counted is not None:
            self._counted(message.topic, error.code)
        return delivery
