"""The tenant gateway's transactions on the real broker: a fenced gateway forwards nothing."""

import asyncio
import time

import pytest
from aiokafka import TopicPartition
from confluent_kafka import Consumer
from confluent_kafka import TopicPartition as ConfluentPartition

from processors.gateway_transactions import GatewayTransactions
from runtime.faust.publisher import Outgoing
from tests.processors.conftest import SettingsFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


def _read(bootstrap: str, topic: str, group: str, partition: TopicPartition) -> tuple[list[bytes], int]:
    """What a read_committed reader of ``topic`` sees, and ``group``'s committed offset of ``partition``."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{group}-reader",
                       "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    reader.subscribe([topic])
    values: list[bytes] = []
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        msg = reader.poll(0.3)
        if msg is not None and msg.error() is None:
            values.append(msg.value())
    reader.close()
    member = Consumer({"bootstrap.servers": bootstrap, "group.id": group})  # asks only: joins nothing
    [committed] = member.committed([ConfluentPartition(partition.topic, partition.partition)], timeout=10)
    member.close()
    return values, committed.offset


async def test_a_gateway_fenced_by_the_partitions_new_owner_forwards_nothing(
    pipeline_settings: SettingsFactory, kafka_bootstrap: str, unique_id: str
) -> None:
    settings = pipeline_settings(processing_guarantee="exactly_once")
    group = f"gateway-{unique_id}"
    partition = TopicPartition(settings.topics.jobs, 0)  # stands for a tenant topic's partition
    stale, new = GatewayTransactions(settings, group), GatewayTransactions(settings, group)
    await stale.on_partitions_assigned([partition])
    await new.on_partitions_assigned([partition])  # the partition moved: the stale member is fenced
    try:
        forwarded = [Outgoing(settings.topics.progress, b"k", b"stale", None)]
        assert not await stale.commit(partition, forwarded, 1)
        assert await new.commit(partition, [Outgoing(settings.topics.progress, b"k", b"new", None)], 1)
    finally:
        await asyncio.gather(stale.close(), new.close())
    topic = settings.topics.progress
    values, committed = await asyncio.to_thread(_read, kafka_bootstrap, topic, group, partition)
    assert values == [b"new"]
    assert committed == 1
