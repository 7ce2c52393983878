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


def group_lag(bootstrap: str, group: str, topics: list[str]) -> int | None:
    """Messages the group has not committed yet over ``topics``; None while it has no offsets."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        parts = [tp for topic in topics for tp in _partitions(consumer, topic)]
        committed = consumer.committed(parts, timeout=30)
        lag = 0
        for tp in committed:
            _low, high = consumer.get_watermark_offsets(tp, timeout=30)
            if tp.offset < 0:
                if high > 0:
                    return None
                continue
            lag += high - tp.offset
        return lag
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


def results_per_task(bootstrap: str, topic: str) -> Counter[str]:
    """How many ``lint.result`` events each task has on the results topic (>1 means redelivered)."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4().hex}",
        "enable.auto.commit": False, "auto.offset.reset": "earliest", "enable.partition.eof": True,
    })
    counts: Counter[str] = Counter()
    try:
        parts = _partitions(consumer, topic)
        for tp in parts:
            tp.offset = 0
        consumer.assign(parts)
        open_parts = {tp.partition for tp in parts}
        deadline = time.monotonic() + 60
        while open_parts and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    open_parts.discard(msg.partition())
                continue
            counts[str(decode(msg.value(), LintResult).task_id)] += 1
    finally:
        consumer.close()
    return counts


def delete_group(bootstrap: str, group: str) -> None:
    """Forget a stopped group's offsets: its next member starts from the earliest offset."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.delete_consumer_groups([group], request_timeout=30)[group].result(30)

