"""The tenant gateway's transactions on the real broker: a fenced gateway forwards nothing."""

import asyncio

import pytest
from aiokafka import TopicPartition

from processors.gateway_transactions import GatewayTransactions
from runtime.faust.publisher import Outgoing
from tests.committed_reads import committed_reads
from tests.processors.conftest import SettingsFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


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
    values, committed = await asyncio.to_thread(committed_reads, kafka_bootstrap, topic, group, partition)
    assert values == [b"new"]
    assert committed == 1
