"""Exactly-once handling of chosen topics: one Kafka transaction per finished prefix of a partition.

Faust's own ``exactly_once`` duplicates or crashes on rebalance (faust-streaming
#517, #323, #177, #440), so the kit runs transactions of its own, "EOS v1"
style: a transactional producer per assigned input partition
(``<group>-<topic>-<partition>``), opened on assignment and closed on
revocation. Opening one fences every earlier producer of that partition, so a
worker that was paused past its session timeout and comes back commits
nothing (``ProducerFenced``): the new owner does the work. Each transaction
sends the outputs of the partition's contiguous finished prefix and the offset
after it. Faust itself commits no offset of these topics
(:func:`runtime.faust.isolation.commit_elsewhere`), so an event is acked to
Faust as soon as it is handled: the ack only tells Faust's revocation that the
event is no longer running.

A new owner could still have fetched from an offset that its dead predecessor
committed past just before being fenced (aiokafka sends no group generation
with the offsets, KIP-447): once its producer is open, it reads the group's
committed offset again and publishes nothing of what lies below it.
"""

import asyncio
import logging
from collections.abc import Iterable
from contextlib import suppress

import faust
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError, ProducerFenced
from faust.types import TP, EventT, Message

from runtime.faust.isolation import commit_elsewhere
from runtime.faust.ordered_commit import PartitionLedger, Pending
from runtime.faust.partition_producer import (
    TRANSACTION_DEADLINE_S,
    StuckError,
    bounded,
    commit,
    committed_offset,
    open_producer,
    stop,
)
from runtime.faust.publisher import Outgoing
from runtime.kafka_security import kafka_security
from runtime.settings import WorkerSettings

log = logging.getLogger(__name__)
# A transaction that fails for a passing reason (a leader moving) is tried again this often.
COMMIT_ATTEMPTS = 5
RETRY_BACKOFF_S = 0.5


class ArrivalSensor(faust.Sensor):
    """Tells the transactions each message of their topics in the consumer's delivery order."""

    def __init__(self, transactions: "PartitionTransactions") -> None:
        super().__init__()
        self._transactions = transactions

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Called by the consumer before the message reaches any stream, partition by partition in order."""
        self._transactions.arrived(tp, offset, message)


class PartitionTransactions:
    """The transactional producers and ledgers of one app's transactional input topics."""

    def __init__(
        self, app: faust.App, settings: WorkerSettings, topics: Iterable[str], linger_ms: int = 5
    ) -> None:
        self._app, self._group, self._topics = app, settings.consumer_group_id, frozenset(topics)
        self._settings, self._linger_ms = settings, linger_ms
        self._producers: dict[TP, asyncio.Task[AIOKafkaProducer]] = {}
        self._ledgers: dict[TP, PartitionLedger] = {}
        self._locks: dict[TP, asyncio.Lock] = {}
        self._drains: set[asyncio.Task[None]] = set()
        self._admin: asyncio.Future[AIOKafkaAdminClient] | None = None
        self.committed: dict[TP, int] = {}  # the next offset each partition's last transaction committed
        commit_elsewhere(app, self._topics)
        app.on_partitions_assigned.connect(self.on_assigned)
        app.on_partitions_revoked.connect(self.on_revoked)
        app.on_before_shutdown.connect(self.on_shutdown)
        app.sensors.add(ArrivalSensor(self))

    async def on_assigned(self, _sender: object, assigned: set[TP], **_kwargs: object) -> None:
        """Open (and so fence) a producer for each newly owned partition.

        Faust may deliver the partition's first records before this signal's
        receivers finish, so the ledger exists at once and a commit waits for
        its producer (opening one takes a round trip to the transaction coordinator).
        """
        new = [tp for tp in assigned if tp.topic in self._topics and tp not in self._producers]
        await asyncio.gather(*(self._own(tp) for tp in new))

    def _own(self, tp: TP) -> "asyncio.Task[AIOKafkaProducer]":
        ledger = self._ledgers[tp] = PartitionLedger()
        self._locks.setdefault(tp, asyncio.Lock())
        self._producers[tp] = asyncio.ensure_future(self._open(tp, ledger))
        return self._producers[tp]

    async def _open(self, tp: TP, ledger: PartitionLedger) -> AIOKafkaProducer:
        producer = await open_producer(self._settings, self._group, tp, self._linger_ms)
        try:
            # the previous owner's last transaction is complete or aborted now: its offset is final
            ledger.floor = await self._read_floor(tp)
        except KafkaError:
            await stop(producer)
            raise
        return producer

    async def _read_floor(self, tp: TP) -> int | None:
        attempt = 0
        while True:
            try:
                return await committed_offset(await self._admin_client(), self._group, tp)
            except KafkaError as exc:  # the group's coordinator moving: asked again
                attempt += 1
                if attempt == COMMIT_ATTEMPTS:
                    raise
                log.warning("%s[%s]: offset not read (%r), attempt %d", tp.topic, tp.partition, exc, attempt)
                await asyncio.sleep(RETRY_BACKOFF_S * 2**attempt)

    async def _admin_client(self) -> AIOKafkaAdminClient:
        """One admin client for all partitions, started by the first that asks (they ask at once)."""
        if self._admin is None:
            self._admin = asyncio.ensure_future(self._start_admin())
        return await asyncio.shield(self._admin)

    async def _start_admin(self) -> AIOKafkaAdminClient:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            **kafka_security(self._settings).aiokafka(),
        )
        try:
            await admin.start()
        except KafkaError:
            self._admin = None  # the next partition to open tries again
            with suppress(KafkaError):
                await admin.close()
            raise
        return admin

    async def on_revoked(self, _sender: object, revoked: set[TP], **_kwargs: object) -> None:
        """Commit what each partition finished, then close its producer; the rest is the next owner's."""
        await asyncio.gather(*(self._close(tp) for tp in revoked if tp in self._producers))

    async def on_shutdown(self, _sender: object = None, **_kwargs: object) -> None:
        """A clean stop: like a revocation of everything still owned, then the admin client goes."""
        await self.on_revoked(None, set(self._producers))
        if self._admin is not None:
            with suppress(KafkaError):
                await (await self._admin).close()
            self._admin = None

    async def _close(self, tp: TP) -> None:
        async with self._locks[tp]:
            ledger = self._ledgers.get(tp)
            # Faust waited for the events in flight; a finished one behind a delivery Faust
            # dropped from its buffers stays uncommitted, for the next owner to redo.
            if ledger is not None and not ledger.fenced and (batch := ledger.ready()):
                await self._commit(tp, ledger, batch)
            self._ledgers.pop(tp, None)
            opening = self._producers.pop(tp, None)
            if opening is not None:
                with suppress(KafkaError):
                    await stop(await opening)

    def arrived(self, tp: TP, offset: int, message: Message) -> None:
        """Record a delivery of an owned partition (others' topics are not ours)."""
        if tp.topic not in self._topics:
            return
        if tp not in self._ledgers:  # delivered before the assignment signal reached us
            self._own(tp)
        self._ledgers[tp].arrived(offset, message)

    def finish(self, event: EventT, messages: list[Outgoing]) -> bool:
        """Hand over an event's outputs; they commit once every earlier event of its partition finished.

        False when the event cannot be committed here (its partition was revoked
        or fenced since it arrived): its outputs are dropped, the next owner redoes it.
        """
        message = event.message
        ledger = self._ledgers.get(message.tp)
        if ledger is None or ledger.fenced or not ledger.finish(message.offset, message, messages):
            log.info(
                "not committing %s[%s]@%s: no longer ours", message.topic, message.partition, message.offset
            )
            return False
        if ledger.head_finished():
            drain = asyncio.ensure_future(self._drain(message.tp, ledger))
            self._drains.add(drain)
            drain.add_done_callback(self._drains.discard)
        return True

    async def _drain(self, tp: TP, ledger: PartitionLedger) -> None:
        async with self._locks[tp]:
            if tp in self._producers and self._ledgers.get(tp) is ledger and not ledger.fenced:
                await self._commit(tp, ledger, ledger.ready())

    async def _commit(self, tp: TP, ledger: PartitionLedger, batch: list[Pending]) -> None:
        """Commit the batch, retrying passing errors; a fenced producer gives the partition up.

        A transaction stuck past its deadline gets a new producer, which fences the
        stuck one; the new producer's floor drops what was committed meanwhile.
        """
        for attempt in range(COMMIT_ATTEMPTS):
            try:
                producer = await self._producers[tp]
            except KafkaError as exc:  # the coordinator refused us a producer: a new worker starts over
                return await self._give_up(tp, exc)
            batch = [entry for entry in batch if ledger.floor is None or entry.offset >= ledger.floor]
            if not batch:
                return None
            messages = [message for entry in batch for message in entry.messages]
            next_offset = batch[-1].offset + 1
            try:
                await bounded(
                    commit(producer, tp, self._group, messages, next_offset), TRANSACTION_DEADLINE_S
                )
                self.committed[tp] = next_offset
                return None
            except ProducerFenced:
                log.warning(
                    "%s[%s]: fenced by a newer owner; %d events left to it",
                    tp.topic,
                    tp.partition,
                    len(batch),
                )
                ledger.fenced = True
                return None
            except StuckError:
                log.warning(
                    "%s[%s]: transaction stuck, attempt %d: a new producer",
                    tp.topic,
                    tp.partition,
                    attempt + 1,
                )
                await stop(producer)
                self._producers[tp] = asyncio.ensure_future(self._open(tp, ledger))
            except KafkaError as exc:
                log.warning(
                    "%s[%s]: transaction failed (%r), attempt %d", tp.topic, tp.partition, exc, attempt + 1
                )
                await asyncio.sleep(RETRY_BACKOFF_S * 2**attempt)
        return await self._give_up(
            tp, RuntimeError(f"transactions of {tp.topic}[{tp.partition}] keep failing")
        )

    async def _give_up(self, tp: TP, exc: BaseException) -> None:
        log.error("%s[%s]: %r; the worker stops", tp.topic, tp.partition, exc)
        await self._app.crash(exc)
