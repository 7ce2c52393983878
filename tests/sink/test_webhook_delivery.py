"""The delivery loop against a real receiver on 127.0.0.1: signatures, retries, backoff, refusals.

Jobs are finished through the sink's own ``write_batch`` so the outbox holds
what production would; the loop's ``run_once`` is driven until each delivery
settles. The receiver verifies each signature as a receiver would (its own
HMAC code, in tests/sink/webhook_receiver.py).
"""

import asyncio
import time
from datetime import datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select

from runtime.db import create_db_engine
from runtime.tables import webhook_deliveries
from sink.metrics import SinkMetrics
from sink.migrate import upgrade
from sink.settings import SinkSettings
from sink.store import write_batch
from sink.webhooks import NO_KEY, DeliveryLoop, backoff_s
from tests.sink._events import JobEvents
from tests.sink.webhook_receiver import receiving

KEY = "test-signing-key-0123456789"
NOW = datetime(2026, 1, 2, 4, 0, 0)


def _settings(db_url: str, **overrides: Any) -> SinkSettings:
    fast = {
        "database_url": db_url,
        "webhook_signing_key": KEY,
        "callback_allow_private": True,
        "webhook_backoff_first_s": 0.2,
        "webhook_timeout_s": 2.0,
        "webhook_poll_s": 0.05,
    }
    return SinkSettings(**(fast | overrides))


def _finish_job(engine: Engine, url: str) -> JobEvents:
    ev = JobEvents()
    write_batch(engine, [ev.submitted().model_copy(update={"callback_url": url}), *ev.in_order()[1:]])
    write_batch(engine, [ev.success(0), ev.failure(1)])
    return ev


def _delivery(engine: Engine, ev: JobEvents) -> dict[str, Any]:
    with engine.connect() as conn:
        query = select(webhook_deliveries).where(webhook_deliveries.c.job_id == str(ev.job_id))
        return dict(conn.execute(query).mappings().one())


async def _settled(loop: DeliveryLoop, engine: Engine, ev: JobEvents, within_s: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while (row := _delivery(engine, ev))["state"] == "PENDING":
        assert time.monotonic() < deadline, f"still pending: {row}"
        await loop.run_once()
        await asyncio.sleep(0.02)
    return row


@pytest.fixture
def db(sqlite_db_url: str) -> Engine:
    upgrade(sqlite_db_url)
    return create_db_engine(sqlite_db_url)


async def test_two_5xx_then_200_is_delivered_on_the_third_attempt_after_backoff(
    db: Engine, sqlite_db_url: str
) -> None:
    async with receiving(KEY) as receiver:
        receiver.script["/hook"] = [500, 503]
        ev = _finish_job(db, receiver.url("/hook"))
        loop = DeliveryLoop(_settings(sqlite_db_url), lambda: db)
        registry = CollectorRegistry()
        loop.on_settled = SinkMetrics(registry).delivery_settled
        row = await _settled(loop, db, ev)
    assert (row["state"], row["attempts"], row["last_status_code"]) == ("DELIVERED", 3, 200)
    outcomes = {o: registry.get_sample_value("sql_linting_webhook_deliveries_total", {"outcome": o})
                for o in ("delivered", "retried", "failed")}
    assert outcomes == {"delivered": 1, "retried": 2, "failed": 0}
    assert row["delivered_at"] is not None and row["last_error"] is None
    calls = receiver.at("/hook")
    assert len(calls) == 3 and all(call.signature_ok for call in calls)
    first_gap, second_gap = calls[1].at - calls[0].at, calls[2].at - calls[1].at
    assert first_gap >= 0.1 and second_gap >= 0.2  # 0.2 s then 0.4 s, each jittered to [0.5, 1)
    assert {call.headers["X-Sqllint-Delivery"] for call in calls} == {calls[0].headers["X-Sqllint-Delivery"]}
    assert calls[0].headers["X-Sqllint-Event"] == "job.finished"
    assert calls[0].headers["Content-Type"] == "application/json"
    summary = calls[2].summary
    assert summary["job_id"] == str(ev.job_id) and summary["job_status"] == "PARTIALLY_COMPLETED"
    assert (summary["task_count"], summary["tasks_succeeded"], summary["tasks_failed"]) == (2, 1, 1)
    assert summary["results_path"] == f"/api/v1/jobs/{ev.job_id}/results"


async def test_a_410_fails_at_once_without_retry(db: Engine, sqlite_db_url: str) -> None:
    async with receiving(KEY) as receiver:
        receiver.script["/gone"] = [410]
        ev = _finish_job(db, receiver.url("/gone"))
        loop = DeliveryLoop(_settings(sqlite_db_url), lambda: db)
        registry = CollectorRegistry()
        loop.on_settled = SinkMetrics(registry).delivery_settled
        row = await _settled(loop, db, ev)
        await asyncio.sleep(0.5)
    assert (row["state"], row["attempts"], row["last_status_code"]) == ("FAILED", 1, 410)
    assert registry.get_sample_value("sql_linting_webhook_deliveries_total", {"outcome": "failed"}) == 1
    assert len(receiver.at("/gone")) == 1


async def test_a_receiver_too_slow_times_out_and_retries_until_the_window_closes(
    db: Engine, sqlite_db_url: str
) -> None:
    async with receiving(KEY) as receiver:
        receiver.script["/slow"], receiver.sleep_s = [0, 0, 0, 0, 0, 0], 3.0
        ev = _finish_job(db, receiver.url("/slow"))
        settings = _settings(sqlite_db_url, webhook_timeout_s=0.3, webhook_retry_max_s=1.0)
        row = await _settled(DeliveryLoop(settings, lambda: db), db, ev)
    assert row["state"] == "FAILED" and row["attempts"] >= 2
    assert row["last_error"].startswith("no answer within 0.3 s") and "gave up after" in row["last_error"]


async def test_a_redirect_is_not_followed(db: Engine, sqlite_db_url: str) -> None:
    async with receiving(KEY) as receiver:
        receiver.script["/moved"] = [302]
        ev = _finish_job(db, receiver.url("/moved"))
        row = await _settled(DeliveryLoop(_settings(sqlite_db_url), lambda: db), db, ev)
    assert (row["state"], row["last_status_code"]) == ("FAILED", 302)
    assert receiver.at("/redirected") == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_loopback_is_refused_without_the_allow_setting(
    db: Engine, sqlite_db_url: str, host: str
) -> None:
    async with receiving(KEY) as receiver:
        url = receiver.url("/private").replace("127.0.0.1", host)
        ev = _finish_job(db, url)
        settings = _settings(sqlite_db_url, callback_allow_private=False)
        row = await _settled(DeliveryLoop(settings, lambda: db), db, ev)
    assert row["state"] == "FAILED" and "a loopback address" in row["last_error"]
    assert receiver.received == []


async def test_without_a_signing_key_nothing_is_sent(db: Engine, sqlite_db_url: str) -> None:
    async with receiving(KEY) as receiver:
        ev = _finish_job(db, receiver.url("/unsigned"))
        settings = _settings(sqlite_db_url, webhook_signing_key="")
        row = await _settled(DeliveryLoop(settings, lambda: db), db, ev)
    assert (row["state"], row["last_error"]) == ("FAILED", NO_KEY)
    assert receiver.received == []


@pytest.mark.integration
@pytest.mark.timeout(180)
async def test_two_loops_on_mariadb_never_deliver_one_job_twice(mysql_db_url: str) -> None:
    upgrade(mysql_db_url)
    engines = [create_db_engine(mysql_db_url) for _ in range(2)]
    async with receiving(KEY) as receiver:
        jobs = [_finish_job(engines[0], receiver.url(f"/job/{i}")) for i in range(40)]
        loops = [DeliveryLoop(_settings(mysql_db_url), lambda e=e: e) for e in engines]
        for loop in loops:
            loop.start()
        try:
            rows = [await _wait_delivered(engines[1], ev) for ev in jobs]
        finally:
            for loop in loops:
                await loop.stop()
    for engine in engines:
        engine.dispose()
    assert all(row["state"] == "DELIVERED" and row["attempts"] == 1 for row in rows)
    paths = sorted(call.path for call in receiver.received)
    assert paths == sorted(f"/job/{i}" for i in range(40))  # each exactly once
    assert all(call.signature_ok for call in receiver.received)
    assert all(loop.attempts_made > 0 for loop in loops)  # both claimed, neither took another's


async def _wait_delivered(engine: Engine, ev: JobEvents) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (row := _delivery(engine, ev))["state"] == "PENDING":
        assert time.monotonic() < deadline, f"still pending: {row}"
        await asyncio.sleep(0.05)
    return row



def test_backoff_doubles_with_jitter_up_to_its_ceiling(sqlite_db_url: str) -> None:
    settings = _settings(sqlite_db_url, webhook_backoff_first_s=2.0, webhook_backoff_max_s=30.0)
    assert [backoff_s(n, settings, lambda: 0.0) for n in (1, 2, 3, 4, 5, 9)] == [1, 2, 4, 8, 15, 15]
    assert [backoff_s(n, settings, lambda: 1.0) for n in (1, 2, 3, 4, 5, 9)] == [2, 4, 8, 16, 30, 30]
