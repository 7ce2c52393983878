"""Control actions: only with the operator's token, only for a live worker, onto the real control topic."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from ingest.app import create_app
from ingest.settings import IngestSettings
from schemas.monitoring import ControlAccepted, WorkersView
from schemas.topics import TopicNames
from tests.ingest.beats import control_events, eventually, heartbeat, publish

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
TOKEN = "s3cret-operator-token"
WORKER = "processors@host-a-77"
URL = f"/api/v1/monitoring/workers/{WORKER}/control"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def _serve(settings: IngestSettings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client


@pytest.fixture
async def guarded(settings: IngestSettings) -> AsyncIterator[Client]:
    async for client in _serve(settings.model_copy(update={"operator_token": SecretStr(TOKEN)})):
        yield client


@pytest.fixture
async def live_worker(guarded: Client, kafka_bootstrap: str, topic_names: TopicNames) -> Client:
    publish(kafka_bootstrap, topic_names, heartbeat(WORKER))

    async def seen() -> bool | None:
        body = WorkersView.model_validate_json(await (await guarded.get("/api/v1/monitoring/workers")).read())
        return True if any(w.worker_id == WORKER for w in body.workers) else None

    await eventually(seen)
    return guarded


async def _code(resp: web.StreamResponse) -> tuple[int, str]:
    return resp.status, (await resp.json())["error"]["code"]  # type: ignore[attr-defined]


async def test_accepted_action_is_on_the_control_topic(
    live_worker: Client, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    resp = await live_worker.post(URL, json={"action": "pause"}, headers=AUTH)
    assert resp.status == 202, await resp.text()
    accepted = ControlAccepted.model_validate_json(await resp.read())
    assert (accepted.worker_id, accepted.action) == (WORKER, "pause")
    ((key, event),) = control_events(kafka_bootstrap, topic_names.control)
    assert key == WORKER.encode()
    assert (event.request_id, event.action, event.worker_id) == (accepted.request_id, "pause", WORKER)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}],
)
async def test_without_the_token_nothing_is_published(
    live_worker: Client, kafka_bootstrap: str, topic_names: TopicNames, headers: dict[str, str]
) -> None:
    resp = await live_worker.post(URL, json={"action": "shutdown"}, headers=headers)
    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="sqllint"'
    assert await _code(resp) == (401, "UNAUTHORIZED")
    assert control_events(kafka_bootstrap, topic_names.control) == []


async def test_no_token_configured_matches_no_presented_token(settings: IngestSettings) -> None:
    """Without OPERATOR_TOKEN only an operator's API key may act: an empty or any token is not one."""
    async for client in _serve(settings):
        for header in ("Bearer ", "Bearer anything"):
            resp = await client.post(URL, json={"action": "pause"}, headers={"Authorization": header})
            assert await _code(resp) == (401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"action": "reboot"}', "INVALID_REQUEST"),
        (b'{"action": "pause", "force": true}', "INVALID_REQUEST"),
        (b"[]", "INVALID_REQUEST"),
        (b"{}", "INVALID_REQUEST"),
        (b"x" * 5000, "INVALID_REQUEST"),
        (b"{not json", "INVALID_JSON"),
    ],
)
async def test_bad_bodies_are_400(live_worker: Client, body: bytes, code: str) -> None:
    resp = await live_worker.post(URL, data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert await _code(resp) == (400, code)


async def test_unknown_worker_is_404(guarded: Client, kafka_bootstrap: str, topic_names: TopicNames) -> None:
    resp = await guarded.post(
        "/api/v1/monitoring/workers/nobody-1/control", json={"action": "pause"}, headers=AUTH
    )
    assert await _code(resp) == (404, "WORKER_NOT_FOUND")
    assert control_events(kafka_bootstrap, topic_names.control) == []
