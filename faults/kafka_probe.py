"""Reading the cluster's side of the story: consumer lag, and events per key on a topic."""

import time
import uuid
from collections import Counter

from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient

from schemas.codec import decode
from schemas.events import LintResult


def _partitions(consumer: Consumer, topic: str) -> list[TopicPartition]:
    metadata = consumer.list_topics(topic, timeout=30).topics[topic]
    return [TopicPartition(topic, p) for p in sorted(metadata.partitions)]


def group_lag(bootstrap: str, group: str, topics: list[str]) -> int:
    """Readable messages the group has not committed over ``topics`` (from the start where it has no offset).

    Past the high watermark is not enough: a transaction's commit marker takes an offset that no
    reader is ever given, so a group that has read everything may commit one short of it, and a
    partition holding only aborted records never gets an offset at all. Where the committed offset
    is behind, a read-committed look from there counts what is really left.
    """
    consumer = Consumer(_reader(bootstrap, group))
    try:
        parts = [tp for topic in topics for tp in _partitions(consumer, topic)]
        behind = []
        for tp in consumer.committed(parts, timeout=30):
            low, high = consumer.get_watermark_offsets(tp, timeout=30)
            start = tp.offset if tp.offset >= 0 else low
            if high > start:
                behind.append(TopicPartition(tp.topic, tp.partition, start))
        return sum(_readable(consumer, behind).values()) if behind else 0
    finally:
        consumer.close()


def wait_caught_up(bootstrap: str, group: str, topics: list[str], timeout: float = 120) -> float:
    """Seconds until ``group`` has committed everything on ``topics``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if group_lag(bootstrap, group, topics) == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"group {group} still lags on {topics} after {timeout}s")


def results_per_pair(bootstrap: str, topic: str) -> Counter[tuple[str, str]]:
    """How many ``lint.result`` events each (job, task) has for a read-committed consumer (>1: a repeat).

    This is what an outside consumer of the results topic sees when it reads as documented.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for value, n in committed_values(bootstrap, topic).items():
        result = decode(value, LintResult)
        counts[str(result.job_id), str(result.task_id)] += n
    return counts


def committed_values(bootstrap: str, topic: str) -> Counter[bytes]:
    """Every value a read-committed consumer is given on ``topic``, from its start to its end, counted."""
    consumer = Consumer(_reader(bootstrap, f"probe-{uuid.uuid4().hex}"))
    try:
        parts = _partitions(consumer, topic)
        for tp in parts:
            tp.offset = 0
        return _readable(consumer, parts)
    finally:
        consumer.close()


def _reader(bootstrap: str, group: str) -> dict[str, object]:
    """A consumer that reads as downstream consumers must: committed records only, no commits."""
    return {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "enable.partition.eof": True,
            "isolation.level": "read_committed"}


def _readable(consumer: Consumer, parts: list[TopicPartition], timeout: float = 60) -> Counter[bytes]:
    """Every readable value from ``parts``' offsets to their ends (the last stable offset), counted."""
    consumer.assign(parts)
    open_parts = {(tp.topic, tp.partition) for tp in parts}
    values: Counter[bytes] = Counter()
    deadline = time.monotonic() + timeout
    while open_parts and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                open_parts.discard((msg.topic(), msg.partition()))
            continue
        values[msg.value() or b""] += 1
    if open_parts:
        raise AssertionError(f"{sorted(open_parts)} not read to their end in {timeout}s")
    return values


def delete_group(bootstrap: str, group: str) -> None:
    """Forget a stopped group's offsets: its next member starts from the earliest offset."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.delete_consumer_groups([group], request_timeout=30)[group].result(30)

