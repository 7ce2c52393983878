"""Health, metrics and Consul registration of a running app."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.consul import SERVICE_NAME
from ingest.settings import IngestSettings

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


async def test_ready_when_everything_answers(client: Client) -> None:
    resp = await client.get("/health/ready")
    body = await resp.json()
    assert resp.status == 200, body
    assert body == {"status": "ready", "checks": {"kafka": "ok", "database": "ok", "storage": "ok"}}


async def test_ready_fails_on_unwritable_storage(settings: IngestSettings, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    broken = settings.model_copy(update={"nfs_share_root_path": blocker / "root"})
    app = create_app(broken)
    app.cleanup_ctx.clear()  # the storage root cannot be created under a file; test the probe alone
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/health/ready")
        body = await resp.json()
    assert resp.status == 503
    assert body["checks"]["storage"].startswith("STORAGE_UNAVAILABLE")


async def test_metrics_count_requests_and_accepts(client: Client) -> None:
    assert (await client.post("/api/v1/jobs", json={"sql_content": "select 1\n"})).status == 202
    assert (await client.post("/api/v1/jobs", json={})).status == 400
    text = await (await client.get("/metrics")).text()
    assert 'sqllint_jobs_accepted_total{submission_type="SINGLE_FILE"} 1.0' in text
    assert 'sqllint_http_requests_total{method="POST",route="/api/v1/jobs",status="202"} 1.0' in text
    assert 'sqllint_http_requests_total{method="POST",route="/api/v1/jobs",status="400"} 1.0' in text
    assert "sqllint_job_accept_seconds_count 1.0" in text


@pytest.fixture
async def fake_consul() -> AsyncIterator[tuple[TestServer, list[tuple[str, Any]]]]:
    calls: list[tuple[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        body = await request.text()
        calls.append((request.path, json.loads(body) if body else None))
        return web.Response(text="true")

    app = web.Application()
    app.router.add_put("/{tail:.*}", record)
    async with TestServer(app) as server:
        yield server, calls


async def test_consul_registration(
    settings: IngestSettings, fake_consul: tuple[TestServer, list[tuple[str, Any]]]
) -> None:
    server, calls = fake_consul
    settings = settings.model_copy(
        update={"consul_host": "127.0.0.1", "consul_port": server.port, "port": 8123}
    )
    async with TestClient(TestServer(create_app(settings))):
        assert [path for path, _ in calls] == ["/v1/agent/service/register"]
    service = calls[0][1]
    assert service["Name"] == SERVICE_NAME
    assert service["Check"]["HTTP"] == "http://127.0.0.1:8123/health/ready"
    assert calls[1] == (f"/v1/agent/service/deregister/{service['ID']}", None)


async def test_consul_unreachable_is_not_fatal(settings: IngestSettings) -> None:
    settings = settings.model_copy(update={"consul_host": "127.0.0.1", "consul_port": 1})
    async with TestClient(TestServer(create_app(settings))) as client:
        assert (await client.get("/health/live")).status == 200
