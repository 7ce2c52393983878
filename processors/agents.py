"""The two Faust agents: ``expand`` (jobs -> tasks) and ``lint`` (tasks -> results).

Both ack an event manually, only after every produce it caused was
acknowledged by the brokers, so a committed offset always means the effect
exists (Faust's default acks in a ``finally``, even when the handler failed).
Bad input never stops an agent: it goes to the dead-letter topic, and so does
a task that killed or hung its lint worker (after its FAILURE result), so the
partition keeps flowing and an operator can look at the file.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import faust
from faust.types import EventT, StreamT

from processors.channels import Channels, Routable
from processors.expand import expand_job
from processors.lint_cache import LintCache
from processors.lint_pool import WORKER_LOST_CODES
from processors.lint_step import lint_task
from processors.runtime import ProcessorRuntime
from processors.settings import ProcessorSettings
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.events import ErrorInfo, JobRejected, JobSubmitted, LintResult, LintTask, TaskStarted

log = logging.getLogger(__name__)
# Produce futures awaited together: enough to pipeline, few enough to bound memory.
PUBLISH_WINDOW = 256


def lost_worker_error(result: LintResult) -> ErrorInfo | None:
    """The error of a result whose lint killed or hung its worker: such tasks are dead-lettered."""
    error = result.error
    return error if error is not None and error.code in WORKER_LOST_CODES else None


async def _guarded(
    job: JobSubmitted, settings: ProcessorSettings, cache: LintCache | None
) -> AsyncIterator[Routable]:
    """Expansion events; an unexpected error rejects this job instead of stopping the agent."""
    try:
        async for event in expand_job(job, settings, cache):
            yield event
    except Exception as exc:  # a bug or odd storage must fail one job, not the service
        log.exception("expanding job %s failed", job.job_id)
        error = ErrorInfo(code="EXPANSION_FAILED", message=f"{type(exc).__name__}: {exc}"[:4096])
        yield JobRejected(job_id=job.job_id, error=error)


async def handle_job(
    event: EventT, channels: Channels, settings: ProcessorSettings, cache: LintCache | None = None
) -> None:
    """Expand one job message; returns once every produced event was acknowledged."""
    try:
        job = decode(event.value, JobSubmitted)
    except SchemaError as exc:
        await asyncio.gather(*await channels.park(event, exc))
        return
    pending: list[Awaitable[Any]] = []
    async for produced in _guarded(job, settings, cache):
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
    linted = await lint_task(task, settings, runtime.pool, runtime.cache)
    pending = [started, await channels.publish(linted.result)]
    if linted.new_entry is not None:
        pending.append(await channels.publish(linted.new_entry))
    lost = lost_worker_error(linted.result)
    if lost is not None:
        pending.append(await channels.dead_letter_for(event, lost))
    await asyncio.gather(*pending)


def register_agents(
    app: faust.App, settings: ProcessorSettings, channels: Channels, runtime: ProcessorRuntime
) -> None:
    """Attach the ``expand`` and ``lint`` agents to ``app``."""

    @app.agent(channels.jobs, name="processors.expand")
    async def expand(stream: StreamT) -> None:
        manual = stream.noack()
        async for event in manual.events():
            await handle_job(event, channels, settings, runtime.cache)
            await manual.ack(event)

    @app.agent(channels.tasks, name="processors.lint", concurrency=settings.lint_concurrency)
    async def lint(stream: StreamT) -> None:
        manual = stream.noack()
        async for event in manual.events():
            await handle_task(event, channels, settings, runtime)
            await manual.ack(event)
