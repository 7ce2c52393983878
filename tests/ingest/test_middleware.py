"""Every failure answers in one shape, with the status the error registry gives its code."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.errors import (
    DailyQuotaExceededError,
    DatabaseUnavailableError,
    RateLimitedError,
    RequestRejectedError,
    TooManyActiveJobsError,
)
from ingest.middleware import error_middleware
from runtime.kafka_admin import KafkaUnavailableError
from schemas.error_codes import ErrorCode, http_status

Client = TestClient[web.Request, web.Application]
RAISED: dict[str, BaseException] = {
    "bad-request": web.HTTPBadRequest(),
    "too-large": web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2),
    "media-type": web.HTTPUnsupportedMediaType(),
    "teapot": web.HTTPException(),
    "rejected": RequestRejectedError(ErrorCode.JOB_NOT_FINISHED, "not yet"),
    "in-flight": RequestRejectedError(ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT, "later"),
    "kafka": KafkaUnavailableError("down"),
    "database": DatabaseUnavailableError("down"),
    "bug": KeyError("secret detail"),
    "rate": RateLimitedError("slow down", 0.2),
    "active": TooManyActiveJobsError("wait for one", 5),
    "quota": DailyQuotaExceededError("tomorrow", 3600.5),
}
RAISED["teapot"].set_status(418)


async def _raise(request: web.Request) -> web.Response:
    raise RAISED[request.match_info["what"]]


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    app = web.Application(middlewares=[error_middleware(retry_after_s=9)])
    app.router.add_get("/raise/{what}", _raise)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("what", "code", "retry"),
    [
        ("bad-request", "INVALID_REQUEST", False),
        ("too-large", "PAYLOAD_TOO_LARGE", False),
        ("media-type", "UNSUPPORTED_MEDIA_TYPE", False),
        ("teapot", "INVALID_REQUEST", False),
        ("rejected", "JOB_NOT_FINISHED", False),
        ("in-flight", "IDEMPOTENCY_KEY_IN_FLIGHT", True),
        ("kafka", "KAFKA_UNAVAILABLE", True),
        ("database", "DATABASE_UNAVAILABLE", True),
        ("bug", "INTERNAL_ERROR", False),
    ],
)
async def test_status_comes_from_the_registry(client: Client, what: str, code: str, retry: bool) -> None:
    resp = await client.get(f"/raise/{what}")
    body = await resp.json()
    assert (resp.status, body["error"]["code"]) == (http_status(code), code)
    assert resp.headers.get("Retry-After") == ("9" if retry else None)
    assert "secret" not in body["error"]["message"]


async def test_aiohttp_routing_errors_are_registered_codes(client: Client) -> None:
    missing = await client.get("/nowhere")
    assert (missing.status, (await missing.json())["error"]["code"]) == (404, "NOT_FOUND")
    wrong = await client.post("/raise/bug")
    assert (wrong.status, (await wrong.json())["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")
    assert wrong.headers["Allow"] == "GET,HEAD"


@pytest.mark.parametrize(
    ("what", "code", "retry_after"),
    [
        ("rate", "RATE_LIMITED", "1"),
        ("active", "TOO_MANY_ACTIVE_JOBS", "5"),
        ("quota", "DAILY_QUOTA_EXCEEDED", "3601"),
    ],
)
async def test_a_limit_is_429_with_the_seconds_it_carries(
    client: Client, what: str, code: str, retry_after: str
) -> None:
    """Not the configured 9 s of a 503: each limit knows its own wait, in whole seconds, never 0."""
    resp = await client.get(f"/raise/{what}")
    assert (resp.status, (await resp.json())["error"]["code"]) == (429, code)
    assert resp.headers["Retry-After"] == retry_after
