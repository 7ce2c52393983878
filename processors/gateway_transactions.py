"""The tenant gateway's transactions: forwarded jobs and the tenant topics' offsets commit together.

The gateway reads with its own aiokafka consumer (a pattern subscription), so
it owns its transactional producers itself: one per assigned tenant-topic
partition (``<gateway group>-<topic>-<partition>``), opened when the consumer
is assigned the partition, which fences its previous owner, and closed when it
is revoked. A batch forwarded by a fenced producer commits nothing: the new
owner forwards it again, and a ``read_committed`` reader of the jobs topic sees
each job once.
"""

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import ProducerFenced
from faust.types import TP

from processors.settings import ProcessorSettings
from runtime.faust.partition_producer import commit, open_producer, stop
from runtime.faust.publisher import Outgoing

log = logging.getLogger(__name__)


class GatewayTransactions(ConsumerRebalanceListener):
    """The gateway consumer's rebalance listener, holding a producer per partition it owns."""

    def __init__(self, settings: ProcessorSettings, group: str) -> None:
        self._settings, self._group = settings, group
        self._producers: dict[TP, AIOKafkaProducer] = {}

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        """Open (and so fence) the producers of newly owned partitions before their records are read."""
        new = [TP(tp.topic, tp.partition) for tp in assigned]
        await asyncio.gather(*(self._open(tp) for tp in new if tp not in self._producers))

    async def _open(self, tp: TP) -> None:
        self._producers[tp] = await open_producer(
            self._settings, self._group, tp, self._settings.producer_linger_ms
        )

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        """Close the producers of partitions another member takes over."""
        await self.close(TP(tp.topic, tp.partition) for tp in revoked)

    async def close(self, partitions: Iterable[TP] | None = None) -> None:
        """Stop the given partitions' producers (all of them when the gateway stops)."""
        for tp in list(self._producers) if partitions is None else list(partitions):
            producer = self._producers.pop(tp, None)
            if producer is not None:
                await stop(producer)

    async def commit(self, partition: TopicPartition, messages: list[Outgoing], next_offset: int) -> bool:
        """Forward ``messages`` and move the gateway's offset, in one transaction; False when not ours."""
        tp = TP(partition.topic, partition.partition)
        producer = self._producers.get(tp)
        if producer is None:
            return False
        try:
            await commit(producer, tp, self._group, messages, next_offset)
        except ProducerFenced:
            log.warning("%s[%s]: fenced by a newer owner; it forwards these records", tp.topic, tp.partition)
            await self.close([tp])
            return False
        return True
