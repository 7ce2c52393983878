"""The two Faust agents: ``expand`` (jobs -> tasks) and ``lint`` (tasks -> results).

Both ack an event manually, only after every produce it caused was
acknowledged by the brokers, so a committed offset always means the effect
exists (Faust's default acks in a ``finally``, even when the handler failed).
Bad input never stops an agent: it goes to the dead-letter topic.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import faust
from faust.types import EventT, StreamT, TopicT

from processors.expand import expand_job
from processors.lint_step import lint_task
from processors.runtime import ProcessorRuntime
from processors.settings import ProcessorSettings
from schemas.codec import decode, encode
from schemas.errors import SchemaError
from schemas.events import (
    DeadLetter,
    ErrorInfo,
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintResult,
    LintTask,
    TaskStarted,
)

log = logging.getLogger(__name__)
# Produce futures awaited together: enough to pipeline, few enough to bound memory.
PUBLISH_WINDOW = 256
DEAD_LETTER_PAYLOAD_CHARS = 65536
Routable = LintTask | LintResult | JobExpanded | JobRejected | TaskStarted


@dataclass(frozen=True)
class Channels:
    """The Faust topics of this service (raw bytes; our codec does the (de)serialising)."""

    jobs: TopicT
    tasks: TopicT
    progress: TopicT
    lint_results: TopicT
    dead_letter: TopicT

    @classmethod
    def declare(cls, app: faust.App, settings: ProcessorSettings) -> "Channels":
        """One Faust topic per name in the settings."""
        t = settings.topics
        names = (t.jobs, t.tasks, t.progress, t.lint_results, t.dead_letter)
        return cls(*(app.topic(n, key_type=bytes, value_type=bytes) for n in names))

    async def publish(self, event: Routable) -> Awaitable[Any]:
        """Hand the event to the producer; the returned future resolves on the brokers' ack."""
        if isinstance(event, LintTask):
            topic, key = self.tasks, event.task_id  # keyed by task so tasks spread over partitions
        else:
            topic = self.lint_results if isinstance(event, LintResult) else self.progress
            key = event.job_id
        return await topic.send(key=str(key).encode(), value=encode(event))

    async def park(self, event: EventT, exc: SchemaError) -> list[Awaitable[Any]]:
        """Park an undecodable message, and reject its job when a job id can be salvaged."""
        message = event.message
        raw = message.value if isinstance(message.value, bytes) else b""
        log.warning("dead-lettering %s[%s]@%s: %s", message.topic, message.partition, message.offset, exc)
        letter = DeadLetter(
            source_topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            error=ErrorInfo(code=exc.code, message=exc.message[:4096]),
            payload=raw.decode("utf-8", "replace")[:DEAD_LETTER_PAYLOAD_CHARS],
        )
        key = message.key if isinstance(message.key, bytes) else None
        # The original key is kept, so an operator can find the job.
        futures = [await self.dead_letter.send(key=key, value=encode(letter))]
        job_id = salvage_job_id(raw) if message.topic == self.jobs.get_topic_name() else None
        if job_id is not None:
            futures.append(await self.publish(JobRejected(job_id=job_id, error=letter.error)))
        return futures


def salvage_job_id(raw: bytes) -> UUID | None:
    """The ``job_id`` of an invalid job message, if it has a readable one."""
    try:
        payload = json.loads(raw)
        return UUID(str(payload["job_id"])) if isinstance(payload, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


async def _guarded(job: JobSubmitted, settings: ProcessorSettings) -> AsyncIterator[Routable]:
    """Expansion events; an unexpected error rejects this job instead of stopping the agent."""
    try:
        async for event in expand_job(job, settings):
            yield event
    except Exception as exc:  # a bug or odd storage must fail one job, not the service
        log.exception("expanding job %s failed", job.job_id)
        error = ErrorInfo(code="EXPANSION_FAILED", message=f"{type(exc).__name__}: {exc}"[:4096])
        yield JobRejected(job_id=job.job_id, error=error)


async def handle_job(event: EventT, channels: Channels, settings: ProcessorSettings) -> None:
    """Expand one job message; returns once every produced event was acknowledged."""
    try:
        job = decode(event.value, JobSubmitted)
    except SchemaError as exc:
        await asyncio.gather(*await channels.park(event, exc))
        return
    pending: list[Awaitable[Any]] = []
    async for produced in _guarded(job, settings):
        pending.append(await channels.publish(produced))
        if len(pending) >= PUBLISH_WINDOW:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)


async def handle_task(
    event: EventT, channels: Channels, settings: ProcessorSettings, runtime: ProcessorRuntime
) -> None:
    """Lint one task message: ``task.started``, then exactly one ``lint.result``."""
    try:
        task = decode(event.value, LintTask)
    except SchemaError as exc:
        await asyncio.gather(*await channels.park(event, exc))
        return
    started = await channels.publish(TaskStarted(task_id=task.task_id, job_id=task.job_id))
    result = await lint_task(task, settings, runtime.pool)
    await asyncio.gather(started, await channels.publish(result))


def register_agents(
    app: faust.App, settings: ProcessorSettings, channels: Channels, runtime: ProcessorRuntime
) -> None:
    """Attach the ``expand`` and ``lint`` agents to ``app``."""

    @app.agent(channels.jobs, name="processors.expand")
    async def expand(stream: StreamT) -> None:
        manual = stream.noack()
        async for event in manual.events():
            await handle_job(event, channels, settings)
            await manual.ack(event)

    @app.agent(channels.tasks, name="processors.lint", concurrency=settings.lint_concurrency)
    async def lint(stream: StreamT) -> None:
        manual = stream.noack()
        async for event in manual.events():
            await handle_task(event, channels, settings, runtime)
            await manual.ack(event)
