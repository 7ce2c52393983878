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

    async def on_thread_stop(self) -> None:
        """A clean stop leaves the group at once, static member or not, so its partitions move now.

        aiokafka sends no LeaveGroup for a static member (``group.instance.id``): the broker
        would keep its partitions for the whole session timeout, waiting for it to come back.
        That return is what a crash needs (the restarted worker takes them back at once); a
        stop on purpose (scale-down, rollout, Ctrl-C) hands them over instead. A LeaveGroup by
        member id removes a static member too (a plain one, since aiokafka knows no version
        that names the instance), and the coordinator uses the instance id only to join.
        """
        coordinator = getattr(self._consumer, "_coordinator", None)
        if coordinator is not None:
            coordinator._group_instance_id = None
        await super().on_thread_stop()

    def highwater(self, tp: TP) -> int:
        """Lag counts to the last stable offset: an open transaction is not yet readable work."""
        return self._ensure_consumer().last_stable_offset(tp)

    async def _highwaters(self, partitions: list[TP]) -> dict[TP, int]:
        consumer = self._ensure_consumer()
        return {tp: consumer.last_stable_offset(tp) for tp in partitions}


class ReadCommittedConsumer(driver.Consumer):
    """Faust's aiokafka consumer, on the read-committed thread, committing past what it never gets.

    A read-committed fetch passes over transactions' markers and aborted records. Faust
    commits a partition up to its first offset neither acked nor known passed over, but
    learns of passed-over offsets only in part (never after offset 0, never next to the
    committed one) and counts a gap's last record as acked with it, twice in its list,
    which splits its runs: the sink's committed offsets fell far behind what it had
    written (25 of 60 after 20 s, measured). Here every offset between two fetched
    records, or since the committed one, is passed over exactly, and the new offset is
    the first one from the committed offset that is neither acked nor passed over.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._fetched: dict[TP, int] = {}  # last offset fetched of each partition since the seek
        self._floor: dict[TP, int] = {}  # first offset fetched where the group has committed none
        # Topics whose offsets the kit's transactions commit: a commit of Faust's own, computed
        # from acks and sent a moment later, could move a newer transactional one back.
        self.committed_elsewhere: frozenset[str] = frozenset()
        super().__init__(*args, **kwargs)

    def _forget_acks(self, tp: TP) -> None:
        """Acks of a partition Faust does not commit still pile up: drop them at each commit round."""
        self._acked[tp].clear()
        self._acked_index[tp].clear()
        self._gap[tp].clear()

    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return ReadCommittedConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _getmany(self, *args: Any, **kwargs: Any) -> Any:
        records = await super()._getmany(*args, **kwargs)
        for tp, batch in records.items():
            self._passed_over(tp, [record.offset for record in batch])
        return records

    def _passed_over(self, tp: TP, offsets: list[int]) -> None:
        last = self._fetched.get(tp)
        start = last + 1 if last is not None else self._committed_offset.get(tp)
        if start is None and offsets:
            self._floor.setdefault(tp, offsets[0])
        for offset in offsets:
            if start is not None and offset > start:
                self._gap[tp].addi(start, offset)
            start = offset + 1
        if offsets:
            self._fetched[tp] = offsets[-1]

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Faust's own gap, which would count the record after it as acked: :meth:`_passed_over` instead."""

    def _new_offset(self, tp: TP) -> int | None:
        if tp.topic in self.committed_elsewhere:
            self._forget_acks(tp)
            return None
        start = self._committed_offset.get(tp)
        if start is None:
            start = self._floor.get(tp)
        if start is None:
            return None
        done = set(self._acked[tp])
        done.update(offset for gap in self._gap[tp] for offset in range(gap.begin, gap.end))
        offset = start
        while offset in done:
            offset += 1
        if offset == start:
            return None
        self._acked[tp][:] = [acked for acked in self._acked[tp] if acked >= offset]
        self._acked_index[tp].difference_update(range(start, offset))
        self._gap[tp].chop(0, offset)
        return offset

    async def perform_seek(self) -> None:
        """A new assignment reads on from the committed offsets: nothing fetched before counts."""
        self._fetched.clear()
        self._floor.clear()
        await super().perform_seek()

    async def seek(self, partition: TP, offset: int) -> None:
        """Reading again from ``offset``: what was fetched of that partition no longer counts."""
        self._fetched.pop(partition, None)
        self._floor.pop(partition, None)
        await super().seek(partition, offset)


class ReadCommittedTransport(driver.Transport):
    """Faust's aiokafka transport whose consumers read committed records only."""

    Consumer: ClassVar[Any] = ReadCommittedConsumer


def commit_elsewhere(app: faust.App, topics: frozenset[str]) -> None:
    """Faust commits no offset of ``topics`` (needs the read-committed transport: see :func:`read_committed`).

    Their events are still acked and tracked, so Faust's revocation waits for those in flight.
    """
    consumer = app.consumer
    if not isinstance(consumer, ReadCommittedConsumer):
        raise TypeError(f"{type(consumer).__name__} commits every acked topic; give the app read_committed()")
    consumer.committed_elsewhere = topics


def read_committed(app: faust.App) -> None:
    """Give ``app`` the read-committed transport (before anything uses its consumer)."""
    app.transport = ReadCommittedTransport(app.conf.broker_consumer, app)
