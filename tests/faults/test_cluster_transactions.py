"""Transactions on the 3-node cluster: their state log survives a broker, as the data topics do.

A transaction's outcome lives in ``__transaction_state``; at replication factor 1
(Kafka's default for a dev node) the death of one broker would leave open
transactions undecidable and their readers stuck at the last stable offset.
kafka.sh gives the cluster RF 3 and min ISR 2 for it, the single dev broker 1/1.
"""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from harness import resources
from harness.results_topic import committed_values

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]
STATE_LOG = "__transaction_state"


async def commit_one(bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"t-{uuid.uuid4().hex}")
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(topic, b"committed", partition=0)
    finally:
        await producer.stop()


def test_the_transaction_log_is_replicated_like_the_data(cluster_bootstrap: str) -> None:
    admin = AdminClient({"bootstrap.servers": cluster_bootstrap})
    topic = f"test.{resources.short_id()}.txn"
    admin.create_topics([NewTopic(topic, 1, 3, config={"min.insync.replicas": "2"})],
                        operation_timeout=60)[topic].result(60)
    try:
        asyncio.run(commit_one(cluster_bootstrap, topic))  # creates the state log if it is new
        assert committed_values(cluster_bootstrap, topic) == {b"committed": 1}
        state = admin.list_topics(STATE_LOG, timeout=30).topics[STATE_LOG].partitions
        assert state and {len(p.replicas) for p in state.values()} == {3}
        resource = ConfigResource(ConfigResource.Type.TOPIC, STATE_LOG)
        config = admin.describe_configs([resource])[resource].result(30)
        assert config["min.insync.replicas"].value == "2"
    finally:
        admin.delete_topics([topic], operation_timeout=60)[topic].result(60)
