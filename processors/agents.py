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

from faust.types import EventT, StreamT

from processors.expand import PublishedEvent, Sized, expand_job
from processors.lanes import EXPRESS, JobLane
from processors.lint_cache import LintCache
from processors.lint_pool import WORKER_LOST_CODES
from processors.lint_step import lint_task
from processors.metrics import ProcessorMetrics
from processors.parking import park
from processors.resources import ProcessorResources
from processors.settings import ProcessorSettings
from processors.transactional import consume
from runtime.faust.app import WorkerApp
from runtime.faust.publisher import Publisher, raw_topic
from runtime.faust.transactions import PartitionTransactions
from runtime.telemetry.tracing import consuming
from schemas.codec import decode
from schemas.error_codes import ErrorCode
from schemas.errors import SchemaError, error_info
from schemas.events import (
    ErrorInfo,
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintResult,
    LintTask,
    TaskRetried,
    TaskStarted,
)

log = logging.getLogger(__name__)
# Produce futures awaited together: enough to pipeline, few enough to bound memory.
PUBLISH_WINDOW = 256


def lost_worker_error(result: LintResult) -> ErrorInfo | None:
    """The error of a result whose lint killed or hung its worker: such tasks are dead-lettered."""
    error = result.error
    return error if error is not None and error.code in WORKER_LOST_CODES else None


async def _guarded(
    job: JobSubmitted, settings: ProcessorSettings, cache: LintCache | None, sized: Sized
) -> AsyncIterator[PublishedEvent]:
    """Expansion events; an unexpected error rejects this job instead of stopping the agent."""
    try:
        async for event in expand_job(job, settings, cache, sized):
            yield event
    except Exception as exc:  # a bug or odd storage must fail one job, not the service
        log.exception("expanding job %s failed", job.job_id)
        yield JobRejected(job_id=job.job_id, error=error_info(exc, ErrorCode.EXPANSION_FAILED))


def _outcome(event: JobExpanded | JobRejected) -> str:
    """How an expansion ended, for its log line: counts and codes, never a file's text."""
    if isinstance(event, JobExpanded):
        return f"expanded into {event.task_count} files"
    return f"rejected: {event.error.code}"


async def handle_job(
    event: EventT,
    worker: WorkerApp,
    settings: ProcessorSettings,
    cache: LintCache | None = None,
    metrics: ProcessorMetrics | None = None,
) -> None:
    """Expand one job message; returns once every produced event was acknowledged."""
    try:
        job = decode(event.value, JobSubmitted)
    except SchemaError as exc:
        await asyncio.gather(*await park(event, exc, worker))
        return
    pending: list[Awaitable[Any]] = []
    lane = JobLane(settings.express_max_files)
    with consuming("processors.expand", event.message.headers, job_id=job.job_id):
        async for produced in _guarded(job, settings, cache, lane.sized):
            for published, topic in lane.publications(produced):
                pending.append(await worker.publisher.publish(published, lane=topic))
            if metrics is not None and isinstance(produced, LintResult):  # refused or cached at expansion
                metrics.result_published(produced)
            if isinstance(produced, JobExpanded | JobRejected):
                log.info("job %s", _outcome(produced))
            if len(pending) >= PUBLISH_WINDOW:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)


async def handle_task(
    event: EventT,
    worker: WorkerApp,
    resources: ProcessorResources,
    express: bool = False,
    live: Publisher | None = None,
) -> None:
    """Lint one task message: ``task.started``, then exactly one ``lint.result``.

    ``express``: the task came down the express lane, so it takes the next free lint process.
    ``live``: where ``task.started`` goes when ``worker`` publishes into a transaction: it is
    a hint for the progress page that a file is being linted now, worth nothing once the
    result exists, so it goes out at once (outside the transaction, may repeat) instead of
    appearing only with the result.
    """
    try:
        task = decode(event.value, LintTask)
    except SchemaError as exc:
        await asyncio.gather(*await park(event, exc, worker))
        return
    publish = worker.publisher.publish
    with consuming("processors.lint", event.message.headers, job_id=task.job_id, task_id=task.task_id):
        started = TaskStarted(task_id=task.task_id, job_id=task.job_id)
        pending = [await (live or worker.publisher).publish(started)]

        async def announce_retry(retried: TaskRetried) -> None:
            pending.append(await publish(retried))

        resources.worker_state.task_started(task.task_id)
        linted = await lint_task(
            task,
            resources.settings,
            resources.pool,
            resources.cache,
            announce_retry,
            resources.admission(express=express),
        )
        pending.append(await publish(linted.result))
        if linted.new_entry is not None:
            pending.append(await publish(linted.new_entry))
        lost = lost_worker_error(linted.result)
        if lost is not None:
            pending.append(await worker.dead_letters.publish(event, lost))
        await asyncio.gather(*pending)
        resources.task_done(linted)


def register_agents(
    worker: WorkerApp, resources: ProcessorResources, transactions: PartitionTransactions | None = None
) -> None:
    """Attach the ``expand`` agent (jobs topic) and the ``lint`` agents (tasks topic and express lane).

    The expand agent runs several actors, so a 2,000-file ZIP being expanded
    holds up no other job's expansion; acks stay per message (Faust commits
    an offset once every message before it was acked). With ``transactions``,
    every agent's effects commit with its input offsets (see :mod:`processors.transactional`).
    """
    app, settings = worker.app, resources.settings
    jobs = raw_topic(app, settings.topics.jobs)

    @app.agent(jobs, name="processors.expand", concurrency=settings.expand_concurrency)
    async def expand(stream: StreamT) -> None:
        async def handle(event: EventT, view: WorkerApp) -> None:
            await handle_job(event, view, settings, resources.cache, resources.metrics)

        await consume(stream, worker, transactions, handle)

    tasks = raw_topic(app, settings.topics.tasks)

    @app.agent(tasks, name="processors.lint", concurrency=settings.lint_concurrency)
    async def lint(stream: StreamT) -> None:
        async def handle(event: EventT, view: WorkerApp) -> None:
            await handle_task(event, view, resources, live=worker.publisher)

        await consume(stream, worker, transactions, handle)

    express = raw_topic(app, getattr(settings.topics, EXPRESS))

    @app.agent(express, name="processors.lint_express", concurrency=settings.lint_concurrency)
    async def lint_express(stream: StreamT) -> None:
        async def handle(event: EventT, view: WorkerApp) -> None:
            await handle_task(event, view, resources, express=True, live=worker.publisher)

        await consume(stream, worker, transactions, handle)
