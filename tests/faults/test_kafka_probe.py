"""The scenarios' counting, on the dev broker: what a read-committed consumer sees, and a group's lag.

Transactions leave records no reader is given (aborted ones, commit markers): the
count must skip them, and a group that has read everything must show no lag even
though its committed offset stops short of the marker.
"""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from confluent_kafka import Consumer, TopicPartition

from faults.figures import Figures
from faults.kafka_probe import group_lag
from harness.results_topic import results_per_pair
from schemas.codec import encode
from schemas.topics import TopicNames
from tests.sink._events import JobEvents

pytestmark = pytest.mark.integration


async def produce(bootstrap: str, topic: str, batches: list[tuple[list[bytes], bool | None]]) -> list[int]:
    """Each batch in a committed (True) or aborted (False) transaction, or outside one (None).

    Returns the offsets of the last record of each batch (everything on partition 0).
    """
    txn = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"t-{uuid.uuid4().hex}")
    plain = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await txn.start()
    await plain.start()
    lasts = []
    try:
        for values, commit in batches:
            producer = plain if commit is None else txn
            if commit is not None:
                await txn.begin_transaction()
            for value in values:
                meta = await producer.send_and_wait(topic, value, partition=0)
            lasts.append(meta.offset)
            if commit is not None:
                await (txn.commit_transaction() if commit else txn.abort_transaction())
    finally:
        await txn.stop()
        await plain.stop()
    return lasts


def commit_offset(bootstrap: str, group: str, topic: str, offset: int) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, offset)], asynchronous=False)
    finally:
        consumer.close()


def test_only_committed_results_count_and_a_repeat_shows(
    kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    topic = topic_names.lint_results
    ev = JobEvents(file_names=("a.sql", "b.sql", "c.sql"))
    a, b, c = (encode(ev.success(i)) for i in range(3))
    lasts = asyncio.run(produce(kafka_bootstrap, topic, [([a], True), ([b], False), ([c, c], None)]))
    job = str(ev.job_id)
    assert results_per_pair(kafka_bootstrap, topic) == {
        (job, str(ev.task_ids[0])): 1, (job, str(ev.task_ids[2])): 2,
    }
    group = f"g-{uuid.uuid4().hex}"
    commit_offset(kafka_bootstrap, group, topic, lasts[0])  # the committed result not yet read
    assert group_lag(kafka_bootstrap, group, [topic]) == 3
    commit_offset(kafka_bootstrap, group, topic, lasts[2] + 1)  # everything read
    assert group_lag(kafka_bootstrap, group, [topic]) == 0


def test_a_group_past_the_last_result_but_short_of_its_marker_has_caught_up(
    kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    topic = topic_names.lint_results
    ev = JobEvents()
    [last] = asyncio.run(produce(kafka_bootstrap, topic, [([encode(ev.success(0))], True)]))
    group = f"g-{uuid.uuid4().hex}"
    commit_offset(kafka_bootstrap, group, topic, last + 1)  # as Faust commits: the marker's offset
    assert group_lag(kafka_bootstrap, group, [topic]) == 0


def test_a_partition_of_aborted_records_only_is_no_lag(kafka_bootstrap: str, topic_names: TopicNames) -> None:
    topic = topic_names.lint_results
    ev = JobEvents()
    asyncio.run(produce(kafka_bootstrap, topic, [([encode(ev.success(0))], False)]))
    group = f"g-{uuid.uuid4().hex}"  # a reader that was never given a record, so never committed
    assert group_lag(kafka_bootstrap, group, [topic]) == 0
    asyncio.run(produce(kafka_bootstrap, topic, [([encode(ev.success(1))], True)]))
    assert group_lag(kafka_bootstrap, group, [topic]) == 1


def test_repeats_fail_a_scenario_only_when_the_processors_promise_exactly_once() -> None:
    seen_twice = {"redelivered": 12, "accepted": 5, "completed": 5}
    assert Figures("kill-worker", guarantee="at_least_once", **seen_twice).problems() == []
    assert Figures("kill-worker", guarantee="exactly_once", **seen_twice).problems() == [
        "results a read_committed consumer saw more than once: 12"
    ]
    missing = Figures("kill-worker", guarantee="at_least_once", accepted=5, completed=5, results_missing=1)
    assert missing.problems() == ["final tasks whose result a read_committed consumer never saw: 1"]
