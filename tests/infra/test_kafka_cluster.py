"""The 3-node KRaft cluster accepts acks=all writes to a topic with RF 3 and min.insync.replicas=2.

This is the topology the fault-tolerance scenarios run against; it is started here
through infra/kafka/kafka.sh and stopped again unless it was already running.
"""

import time
from collections.abc import Iterator

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from harness import cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster_bootstrap() -> Iterator[str]:
    was_running = cluster.running()
    yield cluster.start()
    if not was_running:
        cluster.stop()


def _settled_partitions(admin: AdminClient, topic: str, timeout: float = 30) -> dict:
    """Metadata of a topic once every broker knows it: creation propagates asynchronously."""
    deadline = time.monotonic() + timeout
    partitions: dict = {}
    while time.monotonic() < deadline:
        partitions = admin.list_topics(topic, timeout=10).topics[topic].partitions
        if len(partitions) == 3:
            break
        time.sleep(0.2)
    return partitions


@pytest.mark.timeout(300)
def test_replicated_topic_takes_acks_all_writes(cluster_bootstrap: str, unique_id: str) -> None:
    admin = AdminClient({"bootstrap.servers": cluster_bootstrap})
    assert len(admin.list_topics(timeout=30).brokers) == 3
    topic = f"test.{unique_id}.replicated"
    new = NewTopic(topic, 3, 3, config={"min.insync.replicas": "2"})
    admin.create_topics([new], operation_timeout=60)[topic].result(60)
    try:
        partitions = _settled_partitions(admin, topic)
        assert [len(p.replicas) for p in partitions.values()] == [3, 3, 3]

        delivered: list[object] = []
        producer = Producer(
            {"bootstrap.servers": cluster_bootstrap, "acks": "all", "enable.idempotence": True}
        )
        for i in range(30):
            producer.produce(
                topic, f"v{i}".encode(), f"k{i}".encode(), on_delivery=lambda e, _m: delivered.append(e)
            )
        assert producer.flush(60) == 0
        assert delivered == [None] * 30
    finally:
        admin.delete_topics([topic], operation_timeout=60)[topic].result(60)
