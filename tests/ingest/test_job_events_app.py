"""The event stream inside one ingest app, with the pipeline played by hand on the real broker and database.

Rows are written as the sink would and events produced to the real topics as
the processors would, so each source can be made to lag on purpose: a file
the feed announces goes out at once, ``end`` waits for the database's final
status, pings flow while nothing happens, a client leaving frees its
subscription, and a shutdown ends open streams with a comment saying why.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from confluent_kafka import Producer
from sqlalchemy import text, update

from ingest.app import create_app
from ingest.live import LIVE
from ingest.settings import IngestSettings
from runtime.db import create_db_engine
from runtime.tables import jobs
from schemas.codec import encode
from schemas.events import LintResult, Record
from schemas.routing import route
from schemas.statuses import TaskStatus
from schemas.topics import TopicNames
from tests.ingest.rows import add_job, add_task, lint_record

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def events_client(settings: IngestSettings) -> AsyncIterator[Client]:
    """An app whose streams ping every 0.2 s and never reconcile on their own during a test."""
    fast = settings.model_copy(
        update={"events_ping_s": 0.2, "events_refresh_s": 0.2, "events_reconcile_s": 60}
    )
    async with TestClient(TestServer(create_app(fast))) as client:
        assert await asyncio.to_thread(client.app[LIVE].feed.assigned.wait, 30), "the feed never assigned"
        yield client


def publish(bootstrap: str, topics: TopicNames, event: Record) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    topic, key = route(event, topics)
    producer.produce(topic, encode(event), key)
    assert producer.flush(10) == 0


async def next_frame(resp: ClientResponse) -> list[str]:
    """The lines of the next frame or comment (within 5 s)."""
    lines: list[str] = []
    async with asyncio.timeout(5):
        while True:
            line = (await resp.content.readline()).decode().rstrip("\r\n")
            if not line and lines:
                return lines
            if line:
                lines.append(line)


async def next_event(resp: ClientResponse) -> list[str]:
    while (frame := await next_frame(resp))[0].startswith(":"):
        pass
    return frame


async def test_live_files_pings_then_end_from_the_database(
    events_client: Client, db_url: str, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=2)
    first = add_task(db_url, job_id, 0, "SUCCESS", lint_record("f0.sql", "SELECT 1\n"))
    second = add_task(db_url, job_id, 1, "IN_PROGRESS")
    async with events_client.get(f"/api/v1/jobs/{job_id}/events") as resp:
        assert resp.status == 200
        assert await next_event(resp) == ["id: 1", "event: file", "data: " + (
            f'{{"task_id": "{first}", "file_name": "f0.sql", "status": "SUCCESS", "violations": 0, '
            '"error_code": null}')]
        assert await next_event(resp) == [
            "id: 1", "event: progress", 'data: {"task_count": 2, "done": 1, "succeeded": 1, "failed": 0}']
        assert await next_frame(resp) == [": ping"]  # nothing happens: the stream stays open
        result = LintResult(job_id=uuid.UUID(job_id), task_id=uuid.UUID(second), file_name="f1.sql",
                            status=TaskStatus.SUCCESS, dialect="ansi", sqlfluff_version="3")
        await asyncio.to_thread(publish, kafka_bootstrap, topic_names, result)
        # From the feed: the sink has not written it.
        assert (await next_event(resp))[:2] == ["id: 2", "event: file"]
        assert (await next_event(resp))[:2] == ["id: 2", "event: progress"]
        assert await next_frame(resp) == [": ping"]  # every file sent, but the job is not final yet
        engine = create_db_engine(db_url)
        with engine.begin() as conn:
            final = {"status": "COMPLETED", "tasks_succeeded": 2}
            conn.execute(update(jobs).where(jobs.c.job_id == job_id).values(**final))
        engine.dispose()
        while (frame := await next_event(resp))[1] != "event: end":
            pass
        assert frame == ["id: end", "event: end", "data: " + (
            f'{{"job_id": "{job_id}", "job_status": "COMPLETED", "task_count": 2, "tasks_succeeded": 2, '
            '"tasks_failed": 0}')]
        assert await resp.content.read() == b""  # closed after end


async def test_a_client_leaving_frees_its_subscription(events_client: Client, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=1)
    hub = events_client.app[LIVE].hub
    async with events_client.get(f"/api/v1/jobs/{job_id}/events") as resp:
        await next_event(resp)
        assert job_id in hub.watched
    for _ in range(100):
        if job_id not in hub.watched:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the subscription outlived its client by 5 s")


async def test_a_database_gone_mid_stream_ends_it_with_a_reason(events_client: Client, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=1)
    add_task(db_url, job_id, 0, "SUCCESS", lint_record("f0.sql", "SELECT 1\n"))
    async with events_client.get(f"/api/v1/jobs/{job_id}/events") as resp:
        assert (await next_event(resp))[1] == "event: file"
        assert (await next_event(resp))[1] == "event: progress"  # now waiting on the sink's final status
        engine = create_db_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE linting_tasks"))
        engine.dispose()
        while (frame := await next_frame(resp)) == [": ping"]:
            pass
        assert frame[0].startswith(": closed: DATABASE_UNAVAILABLE: the job database is unavailable"), frame
        assert frame[0].endswith("reconnect with Last-Event-ID to resume")
        assert await resp.content.read() == b""


async def test_shutdown_ends_open_streams_with_a_reason(settings: IngestSettings, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=1)
    client: Client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        async with client.get(f"/api/v1/jobs/{job_id}/events") as resp:
            await next_event(resp)
            closing = asyncio.create_task(client.server.close())
            frame = await next_frame(resp)
            assert frame == [": closed: the service is shutting down; reconnect with Last-Event-ID to resume"]
            async with asyncio.timeout(10):
                await closing  # well inside aiohttp's 60 s wait for handlers
    finally:
        await client.close()
