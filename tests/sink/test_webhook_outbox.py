"""The webhook outbox: queued in the very transaction that finishes a job, claimed once, settled once.

On SQLite and MariaDB (the ``engine`` fixture), through the sink's real
``write_batch``/``apply_events``; a commit that fails leaves neither a final
job nor a queued callback.
"""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import Connection, Engine, event, select

from runtime.db import create_db_engine
from runtime.tables import jobs, webhook_deliveries
from schemas.codec import encode
from schemas.events import JobSubmitted
from schemas.statuses import JobStatus
from sink import outbox
from sink.migrate import upgrade
from sink.store import apply_events, write_batch
from tests.sink._events import JobEvents

URL = "https://hooks.example.com/sqllint"
NOW = datetime(2026, 1, 2, 4, 0, 0)


def _with_callback(ev: JobEvents, url: str = URL) -> JobSubmitted:
    return ev.submitted().model_copy(update={"callback_url": url})


def _deliveries(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.job_id)).mappings()
        return [dict(row) for row in rows]


def _job_status(engine: Engine, ev: JobEvents) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(jobs.c.status).where(jobs.c.job_id == str(ev.job_id))).scalar_one())


def test_a_finished_job_with_a_callback_is_queued_once(engine: Engine) -> None:
    ev, plain = JobEvents(), JobEvents()
    write_batch(engine, [_with_callback(ev), *ev.in_order()[1:], ev.success(0)], now=NOW)
    assert _deliveries(engine) == []  # one file still to come: not final, nothing queued
    write_batch(engine, [*plain.in_order(plain.success(0), plain.success(1)), ev.success(1)], now=NOW)
    write_batch(engine, [ev.success(1), ev.expanded()], now=NOW)  # a replay finishes nothing again
    (row,) = _deliveries(engine)
    assert (row["job_id"], row["url"], row["state"], row["attempts"]) == (str(ev.job_id), URL, "PENDING", 0)
    assert row["next_attempt_at"] == row["created_at"] == NOW
    assert _job_status(engine, ev) == JobStatus.COMPLETED


def test_a_rejected_job_is_queued_too(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [_with_callback(ev), ev.rejected()], now=NOW)
    assert [row["job_id"] for row in _deliveries(engine)] == [str(ev.job_id)]


def test_the_callback_survives_a_placeholder_row_written_first(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [ev.expanded(), ev.success(0)], now=NOW)  # the sink saw the job's tasks first
    write_batch(engine, [_with_callback(ev), ev.success(1)], now=NOW)
    with engine.connect() as conn:
        kept = conn.execute(select(jobs.c.callback_url).where(jobs.c.job_id == str(ev.job_id))).scalar_one()
    assert kept == URL
    assert [row["url"] for row in _deliveries(engine)] == [URL]


def test_a_failed_commit_leaves_no_delivery_and_no_final_job(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [_with_callback(ev), *ev.in_order()[1:]], now=NOW)

    def refuse(_conn: Connection) -> None:
        raise RuntimeError("the database went away at commit")

    event.listen(engine, "commit", refuse)
    try:
        with pytest.raises(RuntimeError, match="went away"), engine.begin() as conn:
            finished = apply_events(conn, [ev.success(0), ev.success(1)], now=NOW)
            assert finished == {str(ev.job_id): JobStatus.COMPLETED}  # inside, it was queued...
            assert conn.execute(select(webhook_deliveries.c.job_id)).scalars().all() == [str(ev.job_id)]
    finally:
        event.remove(engine, "commit", refuse)
    assert _deliveries(engine) == []  # ...and the failed commit took it back with the final status
    assert _job_status(engine, ev) == JobStatus.PROCESSING
    write_batch(engine, [ev.success(0), ev.success(1)], now=NOW)  # the retried batch queues it
    assert len(_deliveries(engine)) == 1


def test_a_claim_is_leased_and_only_its_own_attempt_settles(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [_with_callback(ev), ev.rejected()], now=NOW)
    lease = timedelta(seconds=40)
    with engine.begin() as conn:
        (claimed,) = outbox.claim_due(conn, NOW, 10, lease)
    assert (claimed.attempt, claimed.url, claimed.job["status"]) == (1, URL, "FAILED")
    with engine.begin() as conn:
        assert outbox.claim_due(conn, NOW + lease - timedelta(seconds=1), 10, lease) == []
        (again,) = outbox.claim_due(conn, NOW + lease, 10, lease)  # the first sender went silent
    assert again.attempt == 2
    late = outbox.Outcome(outbox.DELIVERED, status_code=200)
    with engine.begin() as conn:
        assert not outbox.settle(conn, claimed, late, NOW)  # the stale attempt cannot settle it
        assert outbox.settle(conn, again, outbox.Outcome(outbox.FAILED, 410, "gone"), NOW)
    (row,) = _deliveries(engine)
    settled = (row["state"], row["attempts"], row["last_status_code"], row["last_error"])
    assert settled == ("FAILED", 2, 410, "gone")


@pytest.mark.integration
def test_skip_locked_gives_concurrent_claimers_different_rows(mysql_db_url: str) -> None:
    upgrade(mysql_db_url)
    engine = create_db_engine(mysql_db_url)
    events = [JobEvents() for _ in range(6)]
    write_batch(engine, [e for ev in events for e in (_with_callback(ev), ev.rejected())], now=NOW)
    lease = timedelta(seconds=40)
    with engine.begin() as first:
        mine = outbox.claim_due(first, NOW, 4, lease)  # holds its row locks until it commits
        with engine.begin() as second:
            theirs = outbox.claim_due(second, NOW, 4, lease)  # does not wait: skips them
    assert len(mine) == 4 and len(theirs) == 2
    assert not {c.job_id for c in mine} & {c.job_id for c in theirs}
    engine.dispose()


def test_job_submitted_carries_the_callback_only_when_asked() -> None:
    schema = json.loads(Path("schemas/jsonschema/jobs.job-submitted.v1.schema.json").read_text())
    ev = JobEvents()
    with_url, without = json.loads(encode(_with_callback(ev))), json.loads(encode(ev.submitted()))
    jsonschema.validate(with_url, schema)
    jsonschema.validate(without, schema)
    assert with_url["callback_url"] == URL and "callback_url" not in without
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(with_url | {"callback_url": "x" * 2049}, schema)
