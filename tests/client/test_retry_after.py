"""The client waits as a 429 asks (within its budget) instead of failing a CI job on a busy service."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from client.http import ApiClient, ApiError
from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.tenant_limits import TenantLimits, TenantLimitTable

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def slow_lane(settings: IngestSettings) -> AsyncIterator[str]:
    """An ingest that allows one request at once and two a second: the second call in a row is a 429."""
    limits = TenantLimitTable(default=TenantLimits(requests_per_second=2.0, burst=1))
    app = create_app(settings.model_copy(update={"tenant_limits": limits}))
    async with TestClient(TestServer(app)) as client:
        yield str(client.make_url("/")).rstrip("/")


async def test_a_rate_limited_call_is_answered_after_waiting_retry_after(slow_lane: str) -> None:
    api = ApiClient(slow_lane)
    await asyncio.to_thread(api.get, "/api/v1/jobs")
    started = time.monotonic()
    answer = await asyncio.to_thread(api.get, "/api/v1/jobs")  # refused at first, then answered
    assert answer["jobs"] == []
    assert time.monotonic() - started >= 0.9  # it did wait the whole second Retry-After named


async def test_without_a_budget_the_429_is_the_answer(slow_lane: str) -> None:
    api = ApiClient(slow_lane, wait_budget_s=0)
    await asyncio.to_thread(api.get, "/api/v1/jobs")
    with pytest.raises(ApiError) as refused:
        await asyncio.to_thread(api.get, "/api/v1/jobs")
    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (429, "RATE_LIMITED", 1.0)
