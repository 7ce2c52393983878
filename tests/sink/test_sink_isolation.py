"""The sink reads committed records only: a transaction aborted on purpose never becomes a row.

Both jobs' events go to partition 0 of each topic, the aborted job's first: once
the committed job is final in the database, the sink has read past every record
of the aborted one, so its absence is a decision, not a race.
"""

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from confluent_kafka import Consumer, TopicPartition
from sqlalchemy import Engine, select

from runtime.db import create_db_engine
from runtime.tables import jobs, tasks
from schemas.codec import encode
from schemas.statuses import JobStatus
from schemas.topics import TopicNames
from sink.app import make_faust_app
from sink.migrate import upgrade
from sink.settings import SinkSettings
from tests.sink._events import LT01, JobEvents

pytestmark = pytest.mark.integration


def job_messages(topics: TopicNames, ev: JobEvents) -> list[tuple[str, bytes]]:
    """A whole two-file job, as the processors would write it."""
    return [
        (topics.jobs, encode(ev.submitted())),
        (topics.tasks, encode(ev.created(0))),
        (topics.tasks, encode(ev.created(1))),
        *[(topics.progress, encode(e)) for e in (ev.expanded(), ev.started(0), ev.started(1))],
        *[(topics.lint_results, encode(e)) for e in (ev.success(0, LT01), ev.failure(1))],
    ]


async def write_in_transaction(bootstrap: str, messages: list[tuple[str, bytes]], *, commit: bool) -> int:
    """One transaction over every message, on partition 0 of its topic; committed or aborted.

    Returns the offset of the last message.
    """
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"t-{uuid.uuid4().hex}")
    await producer.start()
    try:
        await producer.begin_transaction()
        for topic, value in messages:
            last = (await producer.send_and_wait(topic, value, partition=0)).offset
        await (producer.commit_transaction() if commit else producer.abort_transaction())
    finally:
        await producer.stop()
    return last


def committed_offset(bootstrap: str, group: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        return consumer.committed([TopicPartition(topic, 0)], timeout=10)[0].offset
    finally:
        consumer.close()


def rows_of(engine: Engine, job_id: uuid.UUID) -> tuple[str | None, int]:
    """The job's status (None without a row) and how many task rows it has."""
    with engine.connect() as conn:
        status = conn.execute(select(jobs.c.status).where(jobs.c.job_id == str(job_id))).scalar()
        count = len(conn.execute(select(tasks.c.task_id).where(tasks.c.job_id == str(job_id))).all())
    return status, count


async def until(check: Callable[[], bool]) -> None:
    while True:
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.2)


async def test_an_aborted_transaction_never_reaches_the_database(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, sqlite_db_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_db_url)
    settings = SinkSettings(
        kafka_bootstrap_servers=kafka_bootstrap, database_url=sqlite_db_url, topics=topic_names,
        consumer_group_id=f"sink-{unique_id}", batch_window_seconds=0.2, faust_datadir=tmp_path / "faust",
    )
    aborted, committed = JobEvents(), JobEvents()
    app = make_faust_app(settings)
    engine = create_db_engine(sqlite_db_url)
    await app.start()
    try:
        await write_in_transaction(kafka_bootstrap, job_messages(topic_names, aborted), commit=False)
        await write_in_transaction(kafka_bootstrap, job_messages(topic_names, committed), commit=True)
        await until(lambda: rows_of(engine, committed.job_id) == (JobStatus.PARTIALLY_COMPLETED, 2))
        assert rows_of(engine, aborted.job_id) == (None, 0)
    finally:
        await app.stop()
        engine.dispose()


async def test_the_sink_commits_past_markers_and_aborted_records(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, sqlite_db_url: str, tmp_path: Path
) -> None:
    """Every transaction leaves a marker, every aborted one its records too: offsets no reader gets.

    The sink's committed offset must still reach its last result, or each restart replays
    everything since (and its lag never reads zero).
    """
    upgrade(sqlite_db_url)
    settings = SinkSettings(
        kafka_bootstrap_servers=kafka_bootstrap, database_url=sqlite_db_url, topics=topic_names,
        consumer_group_id=f"sink-{unique_id}", batch_window_seconds=0.2, faust_datadir=tmp_path / "faust",
    )
    app = make_faust_app(settings)
    await app.start()
    try:
        last = 0
        for i in range(30):
            ev = JobEvents(file_names=("a.sql",))
            result = [(topic_names.lint_results, encode(ev.success(0)))]
            offset = await write_in_transaction(kafka_bootstrap, result, commit=i % 3 != 2)
            last = offset if i % 3 != 2 else last
        group, topic = settings.consumer_group_id, topic_names.lint_results
        # Faust commits every 2.8 s; without counting passed-over offsets it took ~50 s here.
        await asyncio.wait_for(until(lambda: committed_offset(kafka_bootstrap, group, topic) == last + 1), 20)
    finally:
        await app.stop()
