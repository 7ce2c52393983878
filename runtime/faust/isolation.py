"""Faust workers that read committed records only, whatever their own processing guarantee.

Our processors write their outputs in Kafka transactions of their own, and an
aborted transaction's records stay in the log: a reader at ``read_uncommitted``
(the Kafka default, and Faust's unless the app itself is ``exactly_once``) would
act on them. Faust sets ``read_committed`` only for ``exactly_once`` apps, whose
own transactions we do not use, so the kit gives every app this transport instead:
Faust's aiokafka driver with a consumer thread that builds its consumer with
Faust's settings and reads at ``read_committed``. A record written outside any
transaction is visible at once either way, so this is right for every producer.
"""

from typing import Any, ClassVar

import aiokafka
import faust
from faust.transport.drivers import aiokafka as driver
from faust.types import TP

READ_COMMITTED = "read_committed"


class ReadCommittedConsumerThread(driver.AIOKafkaConsumerThread):
    """Faust's consumer thread; its consumer skips aborted records and stops at the last stable offset."""

    def _create_worker_consumer(self, transport: driver.Transport) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka takes the level only as a constructor argument and hands it to its
        # fetcher in start(); Faust's constructor call passes its own, so the level is
        # set here, before the thread starts the consumer (tests/sink/test_sink_isolation.py
        # proves it on a real broker: an aborted transaction never reaches a row).
        consumer._isolation_level = READ_COMMITTED
        return consumer

    def highwater(self, tp: TP) -> int:
        """Lag counts to the last stable offset: an open transaction is not yet readable work."""
        return self._ensure_consumer().last_stable_offset(tp)

    async def _highwaters(self, partitions: list[TP]) -> dict[TP, int]:
        consumer = self._ensure_consumer()
        return {tp: consumer.last_stable_offset(tp) for tp in partitions}


class ReadCommittedConsumer(driver.Consumer):
    """Faust's aiokafka consumer, on the read-committed thread."""

    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return ReadCommittedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class ReadCommittedTransport(driver.Transport):
    """Faust's aiokafka transport whose consumers read committed records only."""

    Consumer: ClassVar[Any] = ReadCommittedConsumer


def read_committed(app: faust.App) -> None:
    """Give ``app`` the read-committed transport (before anything uses its consumer)."""
    app.transport = ReadCommittedTransport(app.conf.broker_consumer, app)
