"""The sink worker end to end: real Kafka topics in, SQLite rows out, offsets committed after."""

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from sqlalchemy import Engine, select

from runtime.db import create_db_engine
from runtime.tables import jobs, tasks
from schemas.codec import decode, encode
from schemas.events import DeadLetter, Record
from schemas.statuses import JobStatus, TaskStatus
from schemas.topics import TopicNames
from sink.app import make_faust_app
from sink.migrate import upgrade
from sink.settings import SinkSettings
from tests.sink._events import LT01, JobEvents

pytestmark = pytest.mark.integration


def _produce(bootstrap: str, messages: list[tuple[str, str, bytes]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    for topic, key, value in messages:
        producer.produce(topic, value, key.encode())
    assert producer.flush(30) == 0


def _read(bootstrap: str, topic: str, group: str, count: int) -> list[bytes]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    values: list[bytes] = []
    try:
        for _ in range(240):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                values.append(msg.value())
            if len(values) >= count:
                break
    finally:
        consumer.close()
    return values


def _lag(bootstrap: str, group: str, names: list[str]) -> int:
    """Messages on ``names`` not yet committed by ``group``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        meta = consumer.list_topics(timeout=10).topics
        parts = [TopicPartition(t, p) for t in names for p in meta[t].partitions]
        lag = 0
        for tp in consumer.committed(parts, timeout=10):
            high = consumer.get_watermark_offsets(tp, timeout=10)[1]
            lag += high - max(tp.offset, 0)
        return lag
    finally:
        consumer.close()


async def _until(check: Callable[[], bool]) -> None:
    """Poll (not sleep-then-assert): the test fails only on the pytest timeout or a wrong row."""
    while True:
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.2)


def _status(engine: Engine, job_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(jobs.c.status).where(jobs.c.job_id == job_id)).scalar()


async def test_sink_materialises_a_job_and_dead_letters_garbage(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, sqlite_db_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_db_url)
    settings = SinkSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=sqlite_db_url,
        topics=topic_names,
        consumer_group_id=f"sink-{unique_id}",
        batch_window_seconds=0.2,
        faust_datadir=tmp_path / "faust",
    )
    ev = JobEvents()
    job_id = str(ev.job_id)

    def on(topic: str, key: str, *records: Record) -> list[tuple[str, str, bytes]]:
        return [(topic, key, encode(record)) for record in records]

    messages = [
        *on(topic_names.jobs, job_id, ev.submitted()),
        *on(topic_names.tasks, str(ev.task_ids[0]), ev.created(0)),
        *on(topic_names.tasks, str(ev.task_ids[1]), ev.created(1)),
        *on(topic_names.progress, job_id, ev.expanded(), ev.started(0), ev.started(1)),
        (topic_names.progress, job_id, b"{not json"),
        *on(topic_names.jobs, job_id, ev.success(0)),  # valid event, wrong topic
        *on(topic_names.lint_results, job_id, ev.success(0, LT01), ev.failure(1), ev.success(1)),
    ]
    consumed = [topic_names.jobs, topic_names.tasks, topic_names.progress, topic_names.lint_results]
    app = make_faust_app(settings)
    engine = create_db_engine(sqlite_db_url)
    await app.start()
    try:
        await asyncio.to_thread(_produce, kafka_bootstrap, messages)
        await _until(lambda: _status(engine, job_id) == JobStatus.PARTIALLY_COMPLETED)
        letters = await asyncio.to_thread(
            _read, kafka_bootstrap, topic_names.dead_letter, f"dlq-{unique_id}", 2
        )
        await _until(lambda: _lag(kafka_bootstrap, settings.consumer_group_id, consumed) == 0)
    finally:
        await app.stop()

    with engine.connect() as conn:
        job = conn.execute(select(jobs).where(jobs.c.job_id == job_id)).mappings().one()
        rows = (
            conn.execute(select(tasks).where(tasks.c.job_id == job_id).order_by(tasks.c.ordinal))
            .mappings()
            .all()
        )
    engine.dispose()
    assert (job["task_count"], job["tasks_succeeded"], job["tasks_failed"], job["violation_count"]) == (
        2,
        1,
        1,
        1,
    )
    assert [(r["file_name"], r["status"]) for r in rows] == [
        ("a.sql", TaskStatus.SUCCESS),
        ("b.sql", TaskStatus.FAILURE),
    ]
    assert json.loads(rows[0]["result_json"])["violations"][0]["code"] == "LT01"
    dead = sorted((decode(v, DeadLetter) for v in letters), key=lambda d: d.source_topic)
    assert [(d.source_topic, d.error.code) for d in dead] == [
        (topic_names.jobs, "UNEXPECTED_EVENT_TYPE"),
        (topic_names.progress, "UNDECODABLE_EVENT"),
    ]
    assert dead[1].payload == "{not json"



async def test_no_offset_is_committed_before_the_database_has_the_events(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, sqlite_db_url: str, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While every write fails nothing is acked, so nothing is committed; once the DB answers, all is."""
    settings = SinkSettings(
        kafka_bootstrap_servers=kafka_bootstrap, database_url=sqlite_db_url, topics=topic_names,
        consumer_group_id=f"sink-{unique_id}", db_retry_max_seconds=0.5, faust_datadir=tmp_path / "faust",
    )
    ev = JobEvents()
    job_id = str(ev.job_id)
    records = [(topic_names.jobs, ev.submitted()), (topic_names.progress, ev.expanded()),
               (topic_names.lint_results, ev.success(0)), (topic_names.lint_results, ev.success(1))]
    await asyncio.to_thread(_produce, kafka_bootstrap, [(t, job_id, encode(r)) for t, r in records])
    consumed = [topic_names.jobs, topic_names.progress, topic_names.lint_results]
    engine = create_db_engine(sqlite_db_url)
    app = make_faust_app(settings)  # no tables yet: every write fails, and is retried
    with caplog.at_level(logging.WARNING, logger="sink.writer"):
        await app.start()
        try:
            await _until(lambda: any("database write failed" in r.getMessage() for r in caplog.records))
            await asyncio.sleep(2 * float(app.conf.broker_commit_interval))
            lag = await asyncio.to_thread(_lag, kafka_bootstrap, settings.consumer_group_id, consumed)
            assert lag == len(records)  # two commit intervals passed, and nothing was committed
            await asyncio.to_thread(upgrade, sqlite_db_url)
            await _until(lambda: _status(engine, job_id) == JobStatus.COMPLETED)
            await _until(lambda: _lag(kafka_bootstrap, settings.consumer_group_id, consumed) == 0)
        finally:
            await app.stop()
            engine.dispose()
