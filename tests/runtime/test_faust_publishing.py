"""Where the kit's publisher sends events, and how much of a parked message a dead letter keeps."""

import asyncio
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import pytest

from runtime.faust.dead_letters import PAYLOAD_CHARS, payload_text
from runtime.faust.publisher import Publisher
from schemas.codec import decode
from schemas.error_codes import ErrorCode
from schemas.errors import failure
from schemas.events import CachedLint, DeadLetter, JobExpanded, LintTask, Record
from schemas.topics import TopicNames


@dataclass
class _Topics:
    """Stands in for Kafka only: records what each topic was sent."""

    sent: list[tuple[str, bytes | None, bytes]] = field(default_factory=list)
    made: list[str] = field(default_factory=list)

    def make(self, name: str) -> "_Topic":
        self.made.append(name)
        return _Topic(name, self)


@dataclass
class _Topic:
    name: str
    log: _Topics

    async def send(self, *, key: bytes | None, value: bytes) -> Awaitable[Any]:
        self.log.sent.append((self.name, key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


NAMES = TopicNames(tasks="t.tasks", progress="t.progress", dead_letter="t.dlq")
JOB, TASK = uuid.uuid4(), uuid.uuid4()
KEY = "a" * 64


@pytest.mark.parametrize(
    ("event", "topic", "key"),
    [
        (JobExpanded(job_id=JOB, task_count=1), "t.progress", str(JOB).encode()),
        (
            LintTask(task_id=TASK, job_id=JOB, ordinal=0, file_name="f", sql_content="", size_bytes=0),
            "t.tasks",
            str(TASK).encode(),
        ),
        (CachedLint(key=KEY, sqlfluff_version="4.5.0"), "t.lint-cache", KEY.encode()),
    ],
)
async def test_events_go_where_the_routing_table_says(event: Record, topic: str, key: bytes) -> None:
    topics = _Topics()
    await (await Publisher(NAMES, topics.make).publish(event))
    [(sent_topic, sent_key, value)] = topics.sent
    assert (sent_topic, sent_key) == (topic, key)
    assert decode(value, type(event)) == event


async def test_a_dead_letter_keeps_the_original_key_and_topics_are_made_once() -> None:
    topics = _Topics()
    publisher = Publisher(NAMES, topics.make)
    error = failure(ErrorCode.INVALID_EVENT, "bad")
    for key in (b"original", None):
        letter = DeadLetter(source_topic="x", partition=0, offset=1, error=error, payload="")
        await (await publisher.publish(letter, key))
    assert [(topic, key) for topic, key, _ in topics.sent] == [("t.dlq", b"original"), ("t.dlq", None)]
    assert topics.made == ["t.dlq"]


def test_payload_is_text_cut_to_the_character_limit() -> None:
    assert payload_text(b"{not json") == "{not json"
    assert payload_text(None) == ""
    assert payload_text(b"ok \xff\xfe") == "ok \ufffd\ufffd"
    ascii_text = b"x" * (PAYLOAD_CHARS + 10)
    assert payload_text(ascii_text) == "x" * PAYLOAD_CHARS


@pytest.mark.parametrize("char", ["é", "€", "😀"])
def test_multibyte_payloads_keep_as_many_characters_as_ascii_ones(char: str) -> None:
    text = char * (PAYLOAD_CHARS + 5)
    assert payload_text(text.encode()) == text[:PAYLOAD_CHARS]
