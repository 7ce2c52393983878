"""Reading the cluster's side of the story: consumer lag (events per key: harness.results_topic)."""

import time
import uuid

from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient

from harness.results_topic import partitions_of, reader_config, unread


def group_lag(bootstrap: str, group: str, topics: list[str]) -> int:
    """Readable records ``group`` has not committed on ``topics`` (all, where it never committed)."""
    consumer = Consumer(reader_config(bootstrap, f"probe-{uuid.uuid4().hex}"))
    try:
        parts = [tp for topic in topics for tp in partitions_of(consumer, topic)]
    finally:
        consumer.close()
    return unread(bootstrap, group, parts)


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

