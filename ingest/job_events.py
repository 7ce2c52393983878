"""GET /api/v1/jobs/{job_id}/events: one job's progress as Server-Sent Events.

The stream subscribes to the live feed first and reads the job's rows second,
so an event that happens between the two is in the queue, not lost; the
rows give a late or reconnecting client everything so far, and the state
machine (:mod:`ingest.job_stream`) merges both by task id. The database is
read again only when the stream waits on the sink (a finished file whose
place is not written yet, the final status) or, as a safety net, after a
quiet spell: never once per live event. Errors (unknown job, bad id) are the
usual JSON answers because they are raised before the stream starts.

Tenants: the stream reads the job as the caller's tenant (an admin: any), so
another tenant's job answers JOB_NOT_FOUND, the body of an unknown id, before
anything is streamed, and every re-read keeps that scope. The hub hands a
subscription only its own job's events, and nothing queued is sent before the
check, so no live event of another tenant's job reaches a stream.
"""

import asyncio
import json
import logging
from contextlib import suppress
from typing import Any
from uuid import UUID

from aiohttp import web
from aiohttp_sse import EventSourceResponse, sse_response
from sqlalchemy import Connection, or_, select

from ingest.db import run_db
from ingest.errors import RequestRejectedError
from ingest.event_hub import StreamClosedError, Subscription
from ingest.job_stream import JobStream, resume_position
from ingest.live import LIVE
from ingest.params import path_id, read_scope
from ingest.queries import TASKS_OF_JOBS, Tenant, get_job, owned_by
from ingest.services import SERVICES, Services
from ingest.settings import IngestSettings
from ingest.views import not_found
from runtime.tables import tasks
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError

log = logging.getLogger(__name__)
Row = dict[str, Any]
# Longest wait between two looks at the connection, so a gone client is noticed within it.
CHECK_S = 1.0
_COLUMNS = (tasks.c.task_id, tasks.c.ordinal, tasks.c.file_name, tasks.c.status, tasks.c.violation_count,
            tasks.c.error_code)


def stream_rows(
    conn: Connection, job_id: UUID, tenant: Tenant, from_ordinal: int
) -> tuple[Row | None, list[Row]]:
    """The job's row and the short form of its task rows from ``from_ordinal`` on, and those not placed yet.

    (None, []) for no such job of ``tenant``'s. A stream re-reads only from its position: every file
    before it is sent.
    """
    job = get_job(conn, job_id, tenant)
    if job is None:
        return None, []
    placed_after = or_(tasks.c.ordinal >= from_ordinal, tasks.c.ordinal < 0)
    query = (
        select(*_COLUMNS)
        .select_from(TASKS_OF_JOBS)
        .where(tasks.c.job_id == str(job_id), placed_after, owned_by(tenant))
        .order_by(tasks.c.ordinal)
    )
    return job, [dict(r) for r in conn.execute(query).mappings()]


async def _read(
    services: Services, job_id: UUID, tenant: Tenant, from_ordinal: int = 0
) -> tuple[Row, list[Row]]:
    job, rows = await run_db(services.engine, stream_rows, job_id, tenant, from_ordinal)
    job = job or services.accepted.row(job_id, tenant)  # accepted here, first row not written yet
    if job is None:
        raise not_found(ErrorCode.JOB_NOT_FOUND)
    return job, rows


async def job_events(request: web.Request) -> web.StreamResponse:
    """The stream: ``file``, ``progress`` and, last, ``end``; resumable with ``Last-Event-ID``."""
    services = request.app[SERVICES]
    hub = request.app[LIVE].hub
    job_id, tenant = path_id(request, "job_id"), read_scope(request)
    try:
        position = resume_position(request.headers.get("Last-Event-ID"))
    except ValueError as exc:
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, str(exc)) from exc
    sub = hub.subscribe(str(job_id))
    try:
        job, rows = await _read(services, job_id, tenant)
        if position is None:  # the client saw ``end``: 204 tells an EventSource to stop reconnecting
            return web.Response(status=204)
        stream = JobStream(str(job_id), position)
        stream.take_rows(job, rows)
        async with sse_response(request, ping_interval=services.settings.events_ping_s) as resp:
            with suppress(ConnectionResetError):  # the client left mid-write; the finally forgets it
                await _pump(request, resp, stream, sub, services, tenant)
        return resp
    finally:
        hub.unsubscribe(sub)


def _due(stream: JobStream, settings: IngestSettings, last_read: float, last_event: float) -> float:
    """When the database is read next: soon while only the sink can move on, else after a quiet spell."""
    if stream.waiting_on_sink:
        return last_read + settings.events_refresh_s
    return max(last_read, last_event) + settings.events_reconcile_s


async def _pump(
    request: web.Request, resp: EventSourceResponse, stream: JobStream, sub: Subscription, services: Services,
    tenant: Tenant,
) -> None:
    """Send what can be sent, then wait for live events or the next look at the database."""
    loop = asyncio.get_running_loop()
    last_read = last_event = loop.time()
    counts = {"live events": 0, "database reads": 1, "events sent": 0}
    try:
        while True:
            for frame in stream.frames():
                await resp.send(json.dumps(frame.data), id=frame.id, event=frame.event)
                counts["events sent"] += 1
            if stream.ended or request.transport is None or request.transport.is_closing():
                return
            due = _due(stream, services.settings, last_read, last_event)
            events = await sub.next_batch(min(max(due - loop.time(), 0.0), CHECK_S))
            for event in events:
                stream.take_event(event)
                last_event = loop.time()
            counts["live events"] += len(events)
            if loop.time() >= due:
                stream.take_rows(*await _read(services, UUID(stream.job_id), tenant, stream.position))
                last_read = loop.time()
                counts["database reads"] += 1
    except (StreamClosedError, LintServiceError) as exc:
        # Dropped, shutting down, or the database gone: the client resumes elsewhere or later.
        reason = str(exc)
        if isinstance(exc, LintServiceError):
            reason = f"closed: {exc.code}: {exc.message}; reconnect with Last-Event-ID to resume"
        await resp.write(f": {' '.join(reason.splitlines())}\r\n\r\n".encode())
    finally:
        log.info("event stream of job %s closed at file %d (%s)", stream.job_id, stream.position,
                 ", ".join(f"{v} {k}" for k, v in counts.items()))
