"""Tenants over HTTP: real keys, a real app on the real broker, rows the real sink wrote.

What the access matrix does not show cell by cell: an admin's ``?tenant=``
filter and a non-admin's attempt at it, a job accepted a moment ago (not yet
a row) hidden from other tenants, one Idempotency-Key used by two tenants,
and live events: a stream never carries another tenant's job's events, and
asking for another tenant's stream is the 404 of an unknown id.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete

import reports
from ingest.app import create_app
from ingest.live import LIVE
from ingest.settings import IngestSettings
from runtime.api_keys import create_key
from runtime.db import create_db_engine
from runtime.tables import jobs
from schemas.events import JobExpanded, LintResult
from schemas.statuses import TaskStatus
from schemas.topics import TopicNames
from tests.ingest.tenant_jobs import Written, sink_jobs
from tests.ingest.test_job_events_app import next_event, publish

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
BODY = {"sql_content": "select a from t\n", "dialect": "ansi"}


@dataclass(frozen=True)
class Callers:
    """An app with authentication on, and the Authorization header of each caller."""

    client: Client
    acme: dict[str, str]  # acme's submitter
    globex: dict[str, str]  # globex's submitter
    admin: dict[str, str]  # acme's admin: reads every tenant


@pytest.fixture
async def callers(settings: IngestSettings) -> AsyncIterator[Callers]:
    engine = create_db_engine(settings.database_url)
    with engine.begin() as conn:
        keys = [create_key(conn, tenant, role)[1]
                for tenant, role in (("acme", "submitter"), ("globex", "submitter"), ("acme", "admin"))]
    engine.dispose()
    fast = {"events_ping_s": 0.2, "events_refresh_s": 0.2}
    closed = settings.model_copy(update={"auth_required": True, **fast})
    async with TestClient(TestServer(create_app(closed))) as client:
        assert await asyncio.to_thread(client.app[LIVE].feed.assigned.wait, 30), "the feed never assigned"
        yield Callers(client, *({"Authorization": f"Bearer {key}"} for key in keys))


async def _ids(resp: ClientResponse) -> list[str]:
    assert resp.status == 200, await resp.text()
    return [job["job_id"] for job in (await resp.json())["jobs"]]


async def test_only_an_admin_lists_by_tenant(callers: Callers, db_url: str) -> None:
    acme, globex, acme_too = sink_jobs(db_url, "acme", "globex", "acme")
    get = callers.client.get
    mine = {str(acme.job_id), str(acme_too.job_id)}
    assert set(await _ids(await get("/api/v1/jobs", headers=callers.acme))) == mine
    assert set(await _ids(await get("/api/v1/jobs?tenant=acme", headers=callers.acme))) == mine
    assert await _ids(await get("/api/v1/jobs?tenant=globex", headers=callers.admin)) == [str(globex.job_id)]
    everyone = (await (await get("/api/v1/jobs", headers=callers.admin)).json())["jobs"]
    assert sorted(job["tenant"] for job in everyone) == ["acme", "acme", "globex"]  # whose each one is
    assert await _ids(await get("/api/v1/jobs?tenant=initech", headers=callers.admin)) == []
    for tenant in ("globex", "initech"):  # the same answer whether or not the tenant exists
        resp = await get(f"/api/v1/jobs?tenant={tenant}", headers=callers.acme)
        assert (resp.status, (await resp.json())["error"]["code"]) == (403, "FORBIDDEN")
    resp = await get("/api/v1/jobs?tenant=Not%20A%20Name", headers=callers.admin)
    assert (resp.status, (await resp.json())["error"]["code"]) == (400, "INVALID_REQUEST")


async def test_results_in_every_format_are_the_owners_only(callers: Callers, db_url: str) -> None:
    """The report formats render only after the scoped read: another tenant's job is not rendered at all."""
    acme, _ = sink_jobs(db_url, "acme", "globex")
    records = await callers.client.get(f"/api/v1/jobs/{acme.job_id}/results", headers=callers.acme)
    assert [record["filepath"] for record in await records.json()] == ["acme-0.sql", "acme-1.sql"]
    for fmt in reports.FORMATS:
        path = f"/api/v1/jobs/{{}}/results?format={fmt}"
        own = await callers.client.get(path.format(acme.job_id), headers=callers.acme)
        assert own.status == 200, await own.text()
        hidden = await callers.client.get(path.format(acme.job_id), headers=callers.globex)
        unknown = await callers.client.get(path.format(uuid.uuid4()), headers=callers.globex)
        assert hidden.status == 404
        assert await hidden.read() == await unknown.read(), fmt


async def test_a_job_accepted_a_moment_ago_is_only_its_tenants(callers: Callers, db_url: str) -> None:
    resp = await callers.client.post("/api/v1/jobs", json=BODY, headers=callers.acme)
    assert resp.status == 202, await resp.text()
    job_id = (await resp.json())["job_id"]
    engine = create_db_engine(db_url)
    with engine.begin() as conn:  # as if the first row's write had failed: only the LRU knows the job
        conn.execute(delete(jobs).where(jobs.c.job_id == job_id))
    engine.dispose()
    for headers in (callers.acme, callers.admin):
        found = await callers.client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert (found.status, (await found.json())["job_status"]) == (200, "ACCEPTED")
    for path in (f"/api/v1/jobs/{job_id}", f"/api/v1/jobs/{job_id}/events"):
        hidden = await callers.client.get(path, headers=callers.globex)
        unknown = await callers.client.get(path.replace(job_id, str(uuid.uuid4())), headers=callers.globex)
        assert hidden.status == 404
        assert await hidden.read() == await unknown.read()


async def test_one_idempotency_key_two_tenants_two_jobs(callers: Callers) -> None:
    key = {"Idempotency-Key": f"same-{uuid.uuid4()}"}
    answers = []
    for headers in (callers.acme, callers.globex, callers.acme, callers.globex):
        resp = await callers.client.post("/api/v1/jobs", json=BODY, headers={**headers, **key})
        assert resp.status == 202, await resp.text()
        answers.append(((await resp.json())["job_id"], resp.headers.get("Idempotent-Replayed")))
    (acme_job, first), (globex_job, second), *replays = answers
    assert acme_job != globex_job
    assert (first, second) == (None, None)  # neither tenant was given the other's answer
    assert replays == [(acme_job, "true"), (globex_job, "true")]
    for job_id, headers in ((acme_job, callers.acme), (globex_job, callers.globex)):
        assert (await callers.client.get(f"/api/v1/jobs/{job_id}", headers=headers)).status == 200
    assert (await callers.client.get(f"/api/v1/jobs/{acme_job}", headers=callers.globex)).status == 404


async def test_a_stream_carries_only_its_own_jobs_events(
    callers: Callers, db_url: str, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    acme, globex = sink_jobs(db_url, "acme", "globex", finished=False)
    client = callers.client
    foreign = await client.get(f"/api/v1/jobs/{acme.job_id}/events", headers=callers.globex)
    unknown = await client.get(f"/api/v1/jobs/{uuid.uuid4()}/events", headers=callers.globex)
    assert foreign.status == 404
    assert await foreign.read() == await unknown.read()
    assert client.app[LIVE].hub.watched == frozenset()  # the refused stream left no subscription
    acme_url, globex_url = (f"/api/v1/jobs/{job.job_id}/events" for job in (acme, globex))
    async with client.get(acme_url, headers=callers.acme) as mine, \
            client.get(globex_url, headers=callers.globex) as theirs:
        assert (await next_event(mine))[1] == (await next_event(theirs))[1] == "event: progress"
        await asyncio.to_thread(publish, kafka_bootstrap, topic_names, JobExpanded(job_id=globex.job_id,
                                                                                   task_count=9))
        await asyncio.to_thread(publish, kafka_bootstrap, topic_names, _result(globex, 1))
        # globex's stream saw its events, so the feed has handed them to the hub by now
        await _progress_until(theirs, {"task_count": 9, "done": 1})
        await asyncio.to_thread(publish, kafka_bootstrap, topic_names, _result(acme, 1))
        progress = await next_event(mine)  # acme's file 1 is done; file 0 is not, so no file is sent yet
        assert progress == ["id: 0", "event: progress",
                            'data: {"task_count": 2, "done": 1, "succeeded": 1, "failed": 0}'], progress


async def _progress_until(resp: ClientResponse, want: dict[str, int]) -> None:
    """Read ``resp``'s events until a progress frame holds every item of ``want`` (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            event = await next_event(resp)
            data = json.loads(event[-1].removeprefix("data: "))
            if event[1] == "event: progress" and want.items() <= data.items():
                return


def _result(job: Written, ordinal: int) -> LintResult:
    return LintResult(job_id=job.job_id, task_id=job.task_ids[ordinal], file_name=f"{ordinal}.sql",
                      status=TaskStatus.SUCCESS, dialect="ansi", sqlfluff_version="3")
