"""A tenant's limits over HTTP: a real app with authentication, the real broker, SQLite and MariaDB.

Each limit answers 429 with its code and a Retry-After; another tenant is not
affected; the default limits and one tenant's overrides come from the
environment (``TENANT_LIMITS__*``) the way an operator sets them; a refused
job publishes nothing and counts no bytes.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import ClientResponse, FormData, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from ingest.app import create_app
from ingest.quota import seconds_to_midnight
from ingest.settings import IngestSettings
from runtime.api_keys import create_key
from runtime.db import create_db_engine
from runtime.tables import jobs, tenant_usage
from runtime.tenant_limits import TenantLimits, TenantLimitTable
from schemas.topics import TopicNames
from tests.ingest.conftest import topic_events

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
Headers = dict[str, str]
TENANTS = ("acme", "globex")


@pytest.fixture(params=["db_url", "mysql_migrated_url"])
def database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param)
    return url


@pytest.fixture
def keys(database: str) -> dict[str, Headers]:
    """A submitter's key of each tenant, as its Authorization header."""
    engine = create_db_engine(database)
    try:
        with engine.begin() as conn:
            made = {tenant: create_key(conn, tenant, "submitter")[1] for tenant in TENANTS}
    finally:
        engine.dispose()
    return {tenant: {"Authorization": f"Bearer {key}"} for tenant, key in made.items()}


@pytest.fixture
def base(
    monkeypatch: pytest.MonkeyPatch,
    kafka_bootstrap: str,
    topic_names: TopicNames,
    database: str,
    storage_root: Path,
) -> IngestSettings:
    """Settings read as an operator sets them: one active job and 100 bytes a day, globex has more."""
    monkeypatch.setenv("TENANT_LIMITS__DEFAULT__MAX_ACTIVE_JOBS", "1")
    monkeypatch.setenv("TENANT_LIMITS__DEFAULT__MAX_BYTES_PER_DAY", "100")
    globex = {"max_active_jobs": 2, "max_bytes_per_day": 1000}
    monkeypatch.setenv("TENANT_LIMITS__TENANTS", json.dumps({"globex": globex}))
    return IngestSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database,
        nfs_share_root_path=storage_root,
        topics=topic_names,
        kafka_delivery_timeout_ms=15000,
        auth_required=True,
    )


@asynccontextmanager
async def served(settings: IngestSettings, **limits: float) -> AsyncIterator[Client]:
    if limits:
        table = TenantLimitTable(default=TenantLimits.model_validate(limits))
        settings = settings.model_copy(update={"tenant_limits": table})
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client


def sql(nbytes: int) -> dict[str, str]:
    """A JSON submission whose SQL text is ``nbytes`` bytes."""
    return {"sql_content": "SELECT 1;" + " " * (nbytes - 10) + "\n"}


def usage(settings: IngestSettings, tenant: str) -> list[tuple[int, int]]:
    engine = create_db_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            query = select(tenant_usage.c.bytes, tenant_usage.c.jobs).where(tenant_usage.c.tenant == tenant)
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def finish(settings: IngestSettings, job_id: str) -> None:
    engine = create_db_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.job_id == job_id).values(status="COMPLETED"))
    finally:
        engine.dispose()


async def refused(resp: ClientResponse, code: str) -> int:
    """The 429's Retry-After, once its code is checked: whole seconds, never 0."""
    body = await resp.json()
    assert (resp.status, body["error"]["code"]) == (429, code), body
    retry_after = resp.headers["Retry-After"]
    assert retry_after.isdigit() and int(retry_after) >= 1, retry_after
    return int(retry_after)


async def test_the_request_rate_is_per_tenant_and_leaves_the_public_routes_alone(
    base: IngestSettings, keys: dict[str, Headers]
) -> None:
    async with served(base, requests_per_second=0.5, burst=3) as client:
        for _ in range(3):
            assert (await client.get("/api/v1/jobs", headers=keys["acme"])).status == 200
        wait = await refused(await client.get("/api/v1/jobs", headers=keys["acme"]), "RATE_LIMITED")
        assert wait in (1, 2)  # one token at 0.5/s, less what elapsed since the burst
        assert (await client.post("/api/v1/jobs", json=sql(20), headers=keys["acme"])).status == 429
        assert (await client.get("/api/v1/jobs", headers=keys["globex"])).status == 200
        for path in ("/health/live", "/metrics", "/api/v1/openapi.json", "/"):
            for _ in range(5):
                assert (await client.get(path)).status == 200, path
        scrape = await (await client.get("/metrics")).text()
    assert 'sqllint_limit_refusals_total{code="RATE_LIMITED",tenant="acme"} 2.0' in scrape
    assert 'tenant="globex"' not in scrape


async def test_active_jobs_refuse_a_new_job_but_answer_a_replay_and_globex_has_its_override(
    base: IngestSettings, keys: dict[str, Headers], kafka_bootstrap: str, unique_id: str
) -> None:
    acme, globex = keys["acme"], keys["globex"]
    async with served(base) as client:
        first = await client.post("/api/v1/jobs", json=sql(20), headers=acme | {"Idempotency-Key": "k1"})
        assert first.status == 202
        job_id = (await first.json())["job_id"]
        busy = await client.post("/api/v1/jobs", json=sql(20), headers=acme)
        assert await refused(busy, "TOO_MANY_ACTIVE_JOBS") == 5
        later = acme | {"Idempotency-Key": "k2"}
        await refused(await client.post("/api/v1/jobs", json=sql(30), headers=later), "TOO_MANY_ACTIVE_JOBS")
        replay = await client.post("/api/v1/jobs", json=sql(20), headers=acme | {"Idempotency-Key": "k1"})
        assert (replay.status, replay.headers["Idempotent-Replayed"]) == (202, "true")
        assert (await replay.json())["job_id"] == job_id
        for _ in range(2):  # TENANT_LIMITS__TENANTS gives globex two
            assert (await client.post("/api/v1/jobs", json=sql(20), headers=globex)).status == 202
        await refused(await client.post("/api/v1/jobs", json=sql(20), headers=globex), "TOO_MANY_ACTIVE_JOBS")
        finish(base, job_id)
        again = await client.post("/api/v1/jobs", json=sql(30), headers=later)  # its refused key was released
        assert (again.status, again.headers.get("Idempotent-Replayed")) == (202, None)
        scrape = await (await client.get("/metrics")).text()
    published = topic_events(kafka_bootstrap, base.topics.jobs, unique_id)
    assert len(published) == 4  # acme's two accepted, globex's two: nothing of a refused request
    assert usage(base, "acme") == [(50, 2)]  # refused jobs counted no bytes
    assert 'sqllint_limit_refusals_total{code="TOO_MANY_ACTIVE_JOBS",tenant="acme"} 2.0' in scrape
    assert 'sqllint_limit_refusals_total{code="TOO_MANY_ACTIVE_JOBS",tenant="globex"} 1.0' in scrape


async def test_the_days_bytes_refuse_until_midnight_and_a_job_refused_later_gives_them_back(
    base: IngestSettings, keys: dict[str, Headers]
) -> None:
    acme, globex = keys["acme"], keys["globex"]
    async with served(base.model_copy(update={"tenant_limits": _many_jobs(base.tenant_limits)})) as client:
        assert (await client.post("/api/v1/jobs", json=sql(60), headers=acme)).status == 202
        over = await client.post("/api/v1/jobs", json=sql(41), headers=acme)
        wait = await refused(over, "DAILY_QUOTA_EXCEEDED")
        assert abs(wait - seconds_to_midnight(datetime.now(UTC))) <= 5
        assert (await client.post("/api/v1/jobs", json=sql(40), headers=acme)).status == 202  # exactly 100
        sent = await client.post("/api/v1/jobs", data=_upload("a.sql", b"SELECT 1;\n" * 60), headers=globex)
        assert sent.status == 202  # an upload counts its file's bytes
        not_a_zip = _upload("a.zip", b"PK not a zip" * 25)  # 300 bytes, refused by the archive check
        bad_zip = await client.post("/api/v1/jobs", data=not_a_zip, headers=globex)
        assert 400 <= bad_zip.status < 500 and bad_zip.status != 429  # refused after its bytes were counted
        assert usage(base, "globex") == [(600, 1)]  # ... and they were given back
        too_big = _upload("b.sql", b"SELECT 1;\n" * 41)
        await refused(await client.post("/api/v1/jobs", data=too_big, headers=globex), "DAILY_QUOTA_EXCEEDED")
        last = await client.post("/api/v1/jobs", data=_upload("c.sql", b"SELECT 1;\n" * 40), headers=globex)
        assert last.status == 202
    assert usage(base, "acme") == [(100, 2)]
    assert usage(base, "globex") == [(1000, 2)]


def _many_jobs(table: TenantLimitTable) -> TenantLimitTable:
    """The environment's table with room for many active jobs: only the bytes limit here."""
    default = table.default.model_copy(update={"max_active_jobs": 50})
    tenants = {name: {**changes, "max_active_jobs": 50} for name, changes in table.tenants.items()}
    return TenantLimitTable(default=default, tenants=tenants)


def _upload(name: str, data: bytes) -> FormData:
    form = FormData()
    form.add_field("file", data, filename=name)
    return form


# (name, body keyword arguments, extra headers): what a client may get wrong, each a 4xx at any limit.
HOSTILE: list[tuple[str, dict[str, object], Headers]] = [
    ("invalid json", {"data": b"{"}, {"Content-Type": "application/json"}),
    ("json array", {"json": [1, 2]}, {}),
    ("no source", {"json": {}}, {}),
    ("number sql", {"json": {"sql_content": 5}}, {}),
    ("blank key", {"json": {"sql_content": "SELECT 1\n"}}, {"Idempotency-Key": " "}),
    ("text body", {"data": b"SELECT 1"}, {"Content-Type": "text/plain"}),
    ("broken form", {"data": b"--x\r\n"}, {"Content-Type": "multipart/form-data; boundary=x"}),
    ("not utf-8", {"data": b'{"sql_content": "\xff"}'}, {"Content-Type": "application/json"}),
    ("large sql", {"json": sql(5000)}, {}),
    ("a valid job", {"json": sql(20)}, {}),
]


@pytest.mark.parametrize("state", ["jobs", "bytes", "rate"])
async def test_no_input_answers_5xx_at_a_limit(
    base: IngestSettings, keys: dict[str, Headers], state: str
) -> None:
    """At its active jobs, its day's bytes, or its rate, whatever the tenant sends is a 4xx."""
    acme = keys["acme"]
    rate = {"requests_per_second": 0.01, "burst": 2} if state == "rate" else {}
    async with served(base, max_active_jobs=1, max_bytes_per_day=100, **rate) as client:
        first = await client.post("/api/v1/jobs", json=sql(90 if state == "bytes" else 20), headers=acme)
        assert first.status == 202
        if state == "bytes":
            finish(base, (await first.json())["job_id"])  # a free slot: only the bytes limit is left
        statuses = set()
        for name, body, headers in HOSTILE:
            resp = await client.post("/api/v1/jobs", headers=acme | headers, **body)  # type: ignore[arg-type]
            assert 400 <= resp.status < 500, (name, resp.status, await resp.text())
            statuses.add(resp.status)
    assert 429 in statuses
