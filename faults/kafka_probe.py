"""Reading the cluster's side of the story: consumer lag (events per key: harness.results_topic)."""

import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from harness.results_topic import partitions_of, readable, reader_config


def group_lag(bootstrap: str, group: str, topics: list[str]) -> int:
    """Readable messages the group has not committed over ``topics`` (from the start where it has no offset).

    Past the high watermark is not enough: a transaction's commit marker takes an offset that no
    reader is ever given, so a group that has read everything may commit one short of it, and a
    partition holding only aborted records never gets an offset at all. Where the committed offset
    is behind, a read-committed look from there counts what is really left.
    """
    consumer = Consumer(reader_config(bootstrap, group))
    try:
        parts = [tp for topic in topics for tp in partitions_of(consumer, topic)]
        behind = []
        for tp in consumer.committed(parts, timeout=30):
            low, high = consumer.get_watermark_offsets(tp, timeout=30)
            start = tp.offset if tp.offset >= 0 else low
            if high > start:
                behind.append(TopicPartition(tp.topic, tp.partition, start))
        return sum(readable(consumer, behind).values()) if behind else 0
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


def delete_group(bootstrap: str, group: str) -> None:
    """Forget a stopped group's offsets: its next member starts from the earliest offset."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.delete_consumer_groups([group], request_timeout=30)[group].result(30)

