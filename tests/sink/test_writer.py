"""The batch writer's failure handling, with a stand-in for faust's events and dead-letter topic.

The stand-in replaces only the Kafka topic: dead letters go through the kit's
real publisher, so the routing table picks their topic and key.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select

from runtime.db import create_db_engine
from runtime.faust.dead_letters import DeadLetters
from runtime.faust.metrics import KitMetrics
from runtime.faust.publisher import Publisher
from runtime.tables import jobs
from schemas.codec import decode, encode
from schemas.events import DeadLetter, JobSubmitted, LintOptions
from sink.metrics import SinkMetrics
from sink.migrate import upgrade
from sink.settings import SinkSettings
from sink.writer import BatchWriter
from tests.sink._events import JobEvents

JOB_EVENTS = (JobSubmitted,)


@dataclass
class _Message:
    offset: int
    topic: str = "jobs"
    partition: int = 0
    key: bytes = b"k"


@dataclass
class _Event:
    value: bytes
    message: _Message


@dataclass
class _DeadLetters:
    sent: list[tuple[Any, bytes]] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)

    async def send(self, key: Any, value: bytes) -> "asyncio.Future[None]":
        self.sent.append((key, value))
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def writer(self, settings: SinkSettings, engine: Engine, registry: CollectorRegistry) -> BatchWriter:
        """A writer whose dead letters land here; the topic names it asked for are kept."""

        def topic(name: str) -> "_DeadLetters":
            self.topics.add(name)
            return self

        publisher = Publisher(settings.topics, topic)
        letters = DeadLetters(publisher, KitMetrics(registry).parked)
        return BatchWriter(settings, lambda: engine, letters, SinkMetrics(registry))


def _events(*values: bytes) -> list[Any]:
    return [_Event(value, _Message(offset)) for offset, value in enumerate(values)]


def _job_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(jobs.c.job_id)).scalars())


async def test_undecodable_message_is_dead_lettered_and_the_rest_written(engine: Engine) -> None:
    letters, registry = _DeadLetters(), CollectorRegistry()
    writer = letters.writer(SinkSettings(), engine, registry)
    good = JobEvents()
    await writer.handle(_events(b"\xff\xfe", encode(good.submitted())), JOB_EVENTS)
    assert _job_ids(engine) == {str(good.job_id)}
    assert letters.topics == {SinkSettings().topics.dead_letter}
    ((key, value),) = letters.sent
    letter = decode(value, DeadLetter)
    assert (key, letter.source_topic, letter.offset, letter.error.code) == (
        b"k",
        "jobs",
        0,
        "UNDECODABLE_EVENT",
    )
    counted = {"topic": "jobs", "code": "UNDECODABLE_EVENT"}
    assert registry.get_sample_value("sql_linting_dead_letters_total", counted) == 1
    assert registry.get_sample_value("sql_linting_sink_events_written_total", {"topic": "jobs"}) == 1
    assert registry.get_sample_value("sql_linting_sink_batch_size_count") == 1


async def test_database_unavailable_is_retried_until_it_answers(sqlite_db_url: str) -> None:
    engine = create_db_engine(sqlite_db_url)  # no tables yet: every write fails as if the DB were down
    settings, registry = SinkSettings(db_retry_max_seconds=0.2), CollectorRegistry()
    writer = _DeadLetters().writer(settings, engine, registry)
    ev = JobEvents()
    handling = asyncio.create_task(writer.handle(_events(encode(ev.submitted())), JOB_EVENTS))
    while (registry.get_sample_value("sql_linting_sink_db_retries_total") or 0.0) < 2:
        assert not handling.done(), handling  # still retrying, not dropped or crashed
        await asyncio.sleep(0.05)
    await asyncio.to_thread(upgrade, sqlite_db_url)
    await handling
    assert _job_ids(engine) == {str(ev.job_id)}
    engine.dispose()


@pytest.mark.integration
async def test_rows_the_database_refuses_are_dead_lettered_alone(mysql_db_url: str) -> None:
    upgrade(mysql_db_url)
    engine = create_db_engine(mysql_db_url)
    letters = _DeadLetters()
    writer = letters.writer(SinkSettings(), engine, CollectorRegistry())
    good, bad = JobEvents(), JobEvents()
    huge = bad.submitted().model_copy(
        update={"options": LintOptions(config="#" * 65536)}
    )  # > TEXT on MariaDB
    await writer.handle(_events(encode(huge), encode(good.submitted())), JOB_EVENTS)
    assert _job_ids(engine) == {str(good.job_id)}
    (letter,) = [decode(value, DeadLetter) for _, value in letters.sent]
    assert (letter.offset, letter.error.code) == (0, "SINK_WRITE_REFUSED")
    engine.dispose()
