"""The plan's metric names and /health path, and CORS only for the configured origins."""

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.settings import IngestSettings

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
DASHBOARD = "http://dashboard.example"


def _sample(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in the metrics"
    return float(match.group(1))


async def test_request_duration_by_canonical_route_and_active_jobs(client: Client) -> None:
    assert _sample(await (await client.get("/metrics")).text(), "sql_linting_active_jobs") == 0
    assert (await client.post("/api/v1/jobs", json={"sql_content": "select 1\n"})).status == 202
    assert (await client.get("/api/v1/monitoring/workers/someone-1")).status == 404
    assert (await client.get("/health")).status == 200
    text = await (await client.get("/metrics")).text()
    route = 'method="GET",route="/api/v1/monitoring/workers/{worker_id}",status="404"'
    assert _sample(text, f"sql_linting_request_duration_seconds_count{{{route}}}") == 1
    assert (
        _sample(text, 'sql_linting_request_duration_seconds_count{method="GET",route="/health",status="200"}')
        == 1
    )
    assert "someone-1" not in text
    await asyncio.sleep(1.1)  # the count is cached for a second
    assert _sample(await (await client.get("/metrics")).text(), "sql_linting_active_jobs") == 1
    assert 'sqllint_http_requests_total{method="POST",route="/api/v1/jobs",status="202"} 1.0' in text


async def test_health_is_ready_under_the_plans_path(client: Client) -> None:
    resp = await client.get("/health")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ready"


@pytest.fixture
async def cors_client(settings: IngestSettings) -> AsyncIterator[Client]:
    allowed = settings.model_copy(update={"cors_allowed_origins": (DASHBOARD,)})
    async with TestClient(TestServer(create_app(allowed))) as client:
        yield client


async def test_cors_for_the_configured_origin_only(cors_client: Client) -> None:
    resp = await cors_client.get("/health/live", headers={"Origin": DASHBOARD})
    assert resp.headers["Access-Control-Allow-Origin"] == DASHBOARD
    resp = await cors_client.get("/health/live", headers={"Origin": "http://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    preflight = await cors_client.options(
        "/api/v1/monitoring/workers/w-1/control",
        headers={
            "Origin": DASHBOARD,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "AUTHORIZATION" in preflight.headers["Access-Control-Allow-Headers"].upper()


async def test_no_cors_headers_by_default(client: Client) -> None:
    resp = await client.get("/health/live", headers={"Origin": DASHBOARD})
    assert resp.status == 200 and "Access-Control-Allow-Origin" not in resp.headers
    preflight = await client.options(
        "/api/v1/jobs", headers={"Origin": DASHBOARD, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status == 405
    assert (await preflight.json())["error"]["code"] == "METHOD_NOT_ALLOWED"
