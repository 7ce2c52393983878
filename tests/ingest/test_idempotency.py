"""Idempotency-Key: one job per key, replays answer the same, races resolve to one job."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert

from ingest.app import create_app
from ingest.request import request_digest
from ingest.settings import IngestSettings
from runtime.db import create_db_engine
from runtime.tables import idempotency_keys, jobs
from tests.ingest.conftest import topic_events
from tests.ingest.rows import count

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
BODY = {"sql_content": "select a from t\n", "dialect": "ansi"}


async def test_replay_returns_the_same_job_and_publishes_once(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    headers = {"Idempotency-Key": f"key-{unique_id}"}
    first = await client.post("/api/v1/jobs", json=BODY, headers=headers)
    second = await client.post("/api/v1/jobs", json=BODY, headers=headers)
    assert first.status == second.status == 202
    assert await first.json() == await second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers

    events = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert [key for key, _ in events] == [(await first.json())["job_id"]]

    other = await client.post("/api/v1/jobs", json={**BODY, "dialect": "mysql"}, headers=headers)
    assert other.status == 422
    assert (await other.json())["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(topic_events(kafka_bootstrap, settings.topics.jobs, f"{unique_id}-2")) == 1


async def test_without_key_every_post_is_a_new_job(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    ids = {(await (await client.post("/api/v1/jobs", json=BODY)).json())["job_id"] for _ in range(2)}
    assert len(ids) == 2
    assert len(topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)) == 2


async def test_a_key_still_in_flight_is_retried_later(client: Client, settings: IngestSettings) -> None:
    """Another replica claimed the key for the same request and has not answered yet."""
    key = f"flight-{uuid.uuid4()}"
    claim = {"idempotency_key": key, "request_hash": request_digest({"json": BODY}), "response_json": ""}
    engine = create_db_engine(settings.database_url)
    with engine.begin() as conn:
        at = datetime.now(UTC).replace(tzinfo=None)  # a fresh claim: an old one would have expired
        conn.execute(insert(idempotency_keys).values(job_id=str(uuid.uuid4()), created_at=at, **claim))
    engine.dispose()
    resp = await client.post("/api/v1/jobs", json=BODY, headers={"Idempotency-Key": key})
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT"
    assert resp.headers["Retry-After"] == str(settings.retry_after_s)
    assert count(settings.database_url, jobs) == 0


async def _race(settings: IngestSettings, key: str) -> list[dict[str, Any]]:
    """Two app instances (as two replicas would be) get the same key at once."""
    apps = [create_app(settings), create_app(settings)]
    async with TestClient(TestServer(apps[0])) as one, TestClient(TestServer(apps[1])) as two:
        responses = await asyncio.gather(
            *(
                c.post("/api/v1/jobs", json=BODY, headers={"Idempotency-Key": key})
                for c in (one, two, one, two)
            )
        )
        return [{"status": r.status, **(await r.json())} for r in responses]


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
async def test_racing_requests_make_one_job(
    backend: str,
    request: pytest.FixtureRequest,
    settings: IngestSettings,
    kafka_bootstrap: str,
    unique_id: str,
) -> None:
    db_url = settings.database_url if backend == "sqlite" else request.getfixturevalue("mysql_migrated_url")
    settings = settings.model_copy(update={"database_url": db_url})
    answers = await _race(settings, f"race-{uuid.uuid4()}")
    accepted = [a for a in answers if a["status"] == 202]
    # A request that meets the other replica's claim still in flight is told to retry.
    retry = [a for a in answers if a["status"] == 409]
    assert len(accepted) + len(retry) == len(answers)
    assert all(a["error"]["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT" for a in retry)
    assert len({a["job_id"] for a in accepted}) == 1
    events = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert [key for key, _ in events] == [accepted[0]["job_id"]]
    assert count(db_url, idempotency_keys) == 1
    assert count(db_url, jobs) == 1


def _old_claim(settings: IngestSettings, key: str, body: dict[str, Any], age: timedelta, answer: str) -> None:
    engine = create_db_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(idempotency_keys).values(
                idempotency_key=key,
                request_hash=request_digest({"json": body}),
                response_json=answer,
                job_id=str(uuid.uuid4()),
                created_at=datetime.now(UTC).replace(tzinfo=None) - age,
            )
        )
    engine.dispose()


async def test_an_expired_key_names_a_new_request(client: Client, settings: IngestSettings) -> None:
    """Past INGEST_IDEMPOTENCY_KEY_TTL_HOURS a key is free again, even for another body or a stuck claim."""
    ttl = timedelta(hours=settings.idempotency_key_ttl_hours)
    reused, stuck = f"old-{uuid.uuid4()}", f"stuck-{uuid.uuid4()}"
    _old_claim(settings, reused, {**BODY, "dialect": "mysql"}, ttl + timedelta(minutes=1), '{"job_id": "x"}')
    _old_claim(settings, stuck, BODY, ttl + timedelta(minutes=1), "")
    for key in (reused, stuck):
        resp = await client.post("/api/v1/jobs", json=BODY, headers={"Idempotency-Key": key})
        assert resp.status == 202, await resp.text()
        assert "Idempotent-Replayed" not in resp.headers
    assert count(settings.database_url, idempotency_keys) == 2  # each expired row replaced by the new claim


async def test_a_key_within_its_ttl_still_refuses_another_body(
    client: Client, settings: IngestSettings
) -> None:
    key = f"young-{uuid.uuid4()}"
    ttl = timedelta(hours=settings.idempotency_key_ttl_hours)
    _old_claim(settings, key, {**BODY, "dialect": "mysql"}, ttl - timedelta(minutes=5), '{"job_id": "x"}')
    resp = await client.post("/api/v1/jobs", json=BODY, headers={"Idempotency-Key": key})
    assert resp.status == 422
    assert (await resp.json())["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
