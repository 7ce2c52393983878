"""GET /api/v1/jobs/{id}/events on a real stack (Kafka, MariaDB, ingest, processors, sink as processes).

A real HTTP client reads the stream and parses its frames as a browser's
EventSource would; what it shows is checked against the job as the database
has it at the end: every file exactly once, consistent counts, ``end`` last
with the final status, resumption with ``Last-Event-ID`` losing and repeating
nothing, and the errors as the API's usual JSON.
"""

import asyncio
import io
import itertools
import json
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from harness import resources
from harness.settings import StackSettings, lint_layout
from harness.stack import Stack, running

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
MESSY = "select a,b from t where x=1;\nSELECT  c from   u;\n"
FILES = 12
NOT_UTF8 = b"select \xff from t\n"  # a per-file FAILURE (NOT_TEXT) beside the successes


@dataclass
class Stream:
    """What one connection received: its status and JSON body, or its events and comments."""

    status: int
    content_type: str
    body: Any = None
    events: list[tuple[str, str | None, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Any]:
        return [data for event, _, data in self.events if event == kind]


@pytest.fixture(scope="module")
def stack(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("events")
    with resources.temporary_topics(kafka_bootstrap, "sse") as topics, \
            resources.migrated_database(mysql_server_url) as db_url:
        settings = StackSettings(
            kafka_bootstrap, db_url, workdir, storage=workdir / "storage", topics=topics,
            group=f"sse-{resources.short_id()}", partitions=4, port=resources.free_port(),
            processors=lint_layout(1),
            env={"INGEST_EVENTS_PING_S": "0.5", "INGEST_EVENTS_REFRESH_S": "0.2"},
        )
        with running(settings) as started:
            yield started


def zip_of(files: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(files - 1):
            zf.writestr(f"q/{i:02d}.sql", MESSY * (i % 3 + 1) if i % 4 else "SELECT 1\n")
        zf.writestr("z/latin1.sql", NOT_UTF8)
    return buf.getvalue()


async def submit(session: aiohttp.ClientSession, stack: Stack, files: int = FILES) -> str:
    form = aiohttp.FormData()
    form.add_field("dialect", "ansi")
    form.add_field("file", zip_of(files), filename="repo.zip", content_type="application/zip")
    async with session.post(f"{stack.base_url}/api/v1/jobs", data=form) as resp:
        body = await resp.json()
        assert resp.status == 202, body
        return str(body["job_id"])


async def read_stream(session: aiohttp.ClientSession, url: str, last_event_id: str | None = None,
                      files: int | None = None) -> Stream:
    """Frames until the server closes the stream (or after ``files`` file events: a client leaving)."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    async with session.get(url, headers=headers) as resp:
        stream = Stream(resp.status, resp.headers.get("Content-Type", ""))
        if resp.status != 200 or not stream.content_type.startswith("text/event-stream"):
            stream.body = await resp.json() if resp.status != 204 else None
            return stream
        fields: dict[str, str] = {}
        async for raw in resp.content:
            line = raw.decode().rstrip("\r\n")
            if line.startswith(":"):
                stream.comments.append(line[1:].strip())
            elif line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            elif fields:
                stream.events.append((fields.get("event", "message"), fields.get("id"),
                                      json.loads(fields["data"])))
                fields = {}
                if files is not None and len(stream.of("file")) == files:
                    return stream
        return stream


async def job_in_db(session: aiohttp.ClientSession, stack: Stack, job_id: str) -> dict[str, Any]:
    async with session.get(f"{stack.base_url}/api/v1/jobs/{job_id}", params={"size": "500"}) as resp:
        assert resp.status == 200
        return dict(await resp.json())


def assert_complete(streams: list[Stream], job: dict[str, Any]) -> None:
    """Together the streams showed every file once, in file order, and ended with the job's outcome."""
    files = [data for s in streams for data in s.of("file")]
    ids = [int(event_id or -1) for s in streams for kind, event_id, _ in s.events if kind == "file"]
    tasks = sorted(job["tasks"], key=lambda t: t["ordinal"])
    assert [f["task_id"] for f in files] == [t["task_id"] for t in tasks]
    assert ids == list(range(1, len(tasks) + 1))
    for sent, task in zip(files, tasks, strict=True):
        assert (sent["file_name"], sent["status"], sent["violations"]) == (
            task["file_name"], task["task_status"], task["violation_count"])
        assert sent["error_code"] == (task["error"] or {}).get("code")
    last = streams[-1]
    assert last.events[-1] == ("end", "end", {
        "job_id": job["job_id"], "job_status": job["job_status"], "task_count": job["task_count"],
        "tasks_succeeded": job["tasks_succeeded"], "tasks_failed": job["tasks_failed"]})
    assert [kind for kind, _, _ in last.events].count("end") == 1


async def test_a_zip_streams_every_file_once_then_end(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        job_id = await submit(session, stack)
        stream = await read_stream(session, f"{stack.base_url}/api/v1/jobs/{job_id}/events")
        job = await job_in_db(session, stack, job_id)
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
    assert job["job_status"] == "PARTIALLY_COMPLETED" and job["tasks_failed"] == 1
    assert_complete([stream], job)
    progress = stream.of("progress")
    assert progress, stream.events
    for before, after in itertools.pairwise(progress):
        assert after["done"] >= before["done"]
    assert all(p["done"] == p["succeeded"] + p["failed"] for p in progress)
    assert progress[-1] == {"task_count": FILES, "done": FILES, "succeeded": FILES - 1, "failed": 1}
    assert all(p["done"] >= n for n, p in _files_before_each_progress(stream))
    account = stream_account(stack, job_id)
    print(f"stream of a {FILES}-file job: {account}")
    # Fed by the pipeline's events: the database is read at connect and when only the sink can tell
    # (a file's place, the final status), never once per file.
    assert account["live events"] >= FILES and account["database reads"] < FILES, account


def stream_account(stack: Stack, job_id: str) -> dict[str, int]:
    """The counts the ingest logs when a stream of ``job_id`` closes (a moment after the client saw it)."""
    pattern = re.compile(rf"event stream of job {job_id} closed at file \d+ \(([^)]*)\)")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        match = pattern.search(stack.services["ingest"].log.read_text(errors="replace"))
        if match:
            return {name: int(n) for n, name in (part.split(" ", 1) for part in match[1].split(", "))}
        time.sleep(0.1)
    raise AssertionError(f"no stream of {job_id} in the ingest's log")


def _files_before_each_progress(stream: Stream) -> Iterator[tuple[int, dict[str, Any]]]:
    """(files sent so far, progress) pairs: a progress never counts fewer files than were sent."""
    sent = 0
    for kind, _, data in stream.events:
        sent += kind == "file"
        if kind == "progress":
            yield sent, data


async def test_a_reconnect_with_last_event_id_gets_only_the_rest(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        job_id = await submit(session, stack, files=30)
        url = f"{stack.base_url}/api/v1/jobs/{job_id}/events"
        first = await read_stream(session, url, files=3)  # leaves after three files
        last_id = first.events[-1][1]
        assert last_id == "3"
        rest = await read_stream(session, url, last_event_id=last_id)
        job = await job_in_db(session, stack, job_id)
    assert_complete([first, rest], job)


async def test_after_the_end_a_client_gets_everything_then_end_and_a_resumed_end_is_204(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        job_id = await submit(session, stack, files=5)
        url = f"{stack.base_url}/api/v1/jobs/{job_id}/events"
        live = await read_stream(session, url)
        replay = await read_stream(session, url)
        done = await read_stream(session, url, last_event_id="end")
        job = await job_in_db(session, stack, job_id)
    assert_complete([replay], job)
    assert [kind for kind, _, _ in replay.events] == ["file"] * 5 + ["progress", "end"]
    assert replay.of("file") == live.of("file")
    assert (done.status, done.body) == (204, None)


async def test_every_client_of_a_job_sees_every_file_once(stack: Stack) -> None:
    """Three viewers at once, one of them late: the fan-out gives each the whole job."""
    async with aiohttp.ClientSession() as session:
        job_id = await submit(session, stack, files=20)
        url = f"{stack.base_url}/api/v1/jobs/{job_id}/events"
        early = [asyncio.create_task(read_stream(session, url)) for _ in range(2)]
        await asyncio.sleep(0.5)
        streams = [*await asyncio.gather(*early), await read_stream(session, url)]
        job = await job_in_db(session, stack, job_id)
    for stream in streams:
        assert_complete([stream], job)


@pytest.mark.parametrize(("path", "headers", "status", "code"), [
    (f"/api/v1/jobs/{uuid.uuid4()}/events", {}, 404, "JOB_NOT_FOUND"),
    ("/api/v1/jobs/not-a-uuid/events", {}, 400, "INVALID_ID"),
    (f"/api/v1/jobs/{uuid.uuid4()}/events", {"Last-Event-ID": "x7"}, 400, "INVALID_REQUEST"),
])
async def test_errors_are_json_before_any_stream(
    stack: Stack, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    url = f"{stack.base_url}{path}"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as resp:
        assert resp.status == status
        assert resp.content_type == "application/json"
        body = await resp.json()
    assert body["error"]["code"] == code, body
