"""The Faust topics of the processors and how each event is routed onto them."""

import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import faust
from faust.types import EventT, TopicT

from processors.settings import ProcessorSettings
from schemas.codec import encode
from schemas.errors import SchemaError
from schemas.events import (
    CachedLint,
    DeadLetter,
    ErrorInfo,
    JobExpanded,
    JobRejected,
    LintResult,
    LintTask,
    TaskRegistered,
    TaskStarted,
)

log = logging.getLogger(__name__)
DEAD_LETTER_PAYLOAD_CHARS = 65536
Routable = LintTask | LintResult | JobExpanded | JobRejected | TaskRegistered | TaskStarted | CachedLint


@dataclass(frozen=True)
class Channels:
    """The Faust topics of this service (raw bytes; our codec does the (de)serialising)."""

    jobs: TopicT
    tasks: TopicT
    progress: TopicT
    lint_results: TopicT
    dead_letter: TopicT
    lint_cache: TopicT

    @classmethod
    def declare(cls, app: faust.App, settings: ProcessorSettings) -> "Channels":
        """One Faust topic per name in the settings."""
        t = settings.topics
        names = (t.jobs, t.tasks, t.progress, t.lint_results, t.dead_letter, t.lint_cache)
        return cls(*(app.topic(n, key_type=bytes, value_type=bytes) for n in names))

    async def publish(self, event: Routable) -> Awaitable[Any]:
        """Hand the event to the producer; the returned future resolves on the brokers' ack."""
        if isinstance(event, CachedLint):
            topic, key = self.lint_cache, event.key  # compaction keeps the latest entry per key
        elif isinstance(event, LintTask):
            topic, key = self.tasks, str(event.task_id)  # keyed by task so tasks spread over partitions
        else:
            topic = self.lint_results if isinstance(event, LintResult) else self.progress
            key = str(event.job_id)
        return await topic.send(key=key.encode(), value=encode(event))

    async def dead_letter_for(self, event: EventT, error: ErrorInfo) -> Awaitable[Any]:
        """Keep the message with the reason; the original key lets an operator find its job."""
        message = event.message
        raw = message.value if isinstance(message.value, bytes) else b""
        log.warning("dead-lettering %s[%s]@%s: %s", message.topic, message.partition, message.offset, error)
        letter = DeadLetter(
            source_topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            error=error,
            payload=raw.decode("utf-8", "replace")[:DEAD_LETTER_PAYLOAD_CHARS],
        )
        key = message.key if isinstance(message.key, bytes) else None
        return await self.dead_letter.send(key=key, value=encode(letter))

    async def park(self, event: EventT, exc: SchemaError) -> list[Awaitable[Any]]:
        """Park an undecodable message, and reject its job when a job id can be salvaged."""
        error = ErrorInfo(code=exc.code, message=exc.message[:4096])
        futures = [await self.dead_letter_for(event, error)]
        raw = event.message.value if isinstance(event.message.value, bytes) else b""
        job_id = salvage_job_id(raw) if event.message.topic == self.jobs.get_topic_name() else None
        if job_id is not None:
            futures.append(await self.publish(JobRejected(job_id=job_id, error=error)))
        return futures


def salvage_job_id(raw: bytes) -> UUID | None:
    """The ``job_id`` of an invalid job message, if it has a readable one."""
    try:
        payload = json.loads(raw)
        return UUID(str(payload["job_id"])) if isinstance(payload, dict) else None
    except (ValueError, KeyError, TypeError):
        return None
