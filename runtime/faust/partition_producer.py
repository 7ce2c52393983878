"""One input partition's transactional producer: opening it, one transaction, and bounding both.

aiokafka keeps sending a transaction's requests to a coordinator that died
(measured on the 3-node cluster: a broker killed, a commit stuck for minutes),
and the broker aborts a transaction older than its timeout by bumping the
producer's epoch, which looks exactly like being fenced by a new owner. So
every open and every transaction here has a deadline well under that timeout;
past it, the caller replaces the producer, and the new one finds the
coordinator afresh and fences the stuck one.
"""

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from contextlib import suppress

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from faust.types import TP

from runtime.faust.publisher import Outgoing
from runtime.kafka_security import kafka_security
from runtime.settings import WorkerSettings

log = logging.getLogger(__name__)
# aiokafka's transaction timeout is 60 s: a transaction still open after this is replaced first.
TRANSACTION_DEADLINE_S = 20.0
OPEN_DEADLINE_S = 30.0
OPEN_ATTEMPTS = 6
STOP_DEADLINE_S = 5.0


class StuckError(KafkaError):
    """A request to the transaction coordinator did not finish within its deadline."""


def transactional_id(group: str, tp: TP) -> str:
    """One id per input partition, stable across workers: whoever owns the partition fences the rest."""
    return f"{group}-{tp.topic}-{tp.partition}"


async def bounded(work: Awaitable[object], seconds: float) -> None:
    """``work`` within ``seconds``, or :class:`StuckError`, without waiting for it to give up.

    ``asyncio.wait_for`` would wait for the cancelled work to finish, and a
    transaction cancelled while its coordinator is unreachable awaits its abort
    just as long; the abandoned work ends on its own when its producer is stopped.
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if task in done:
        task.result()
        return
    task.cancel()
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # its outcome is no longer anyone's
    raise StuckError(f"no answer within {seconds:.0f} s")


async def stop(producer: AIOKafkaProducer) -> None:
    """Stop a producer that may be fenced or stuck: it is gone either way."""
    with suppress(KafkaError):
        await bounded(producer.stop(), STOP_DEADLINE_S)


async def open_producer(settings: WorkerSettings, group: str, tp: TP, linger_ms: int) -> AIOKafkaProducer:
    """Start the partition's producer: ``init_transactions`` aborts what its previous owner left open.

    A coordinator that does not answer is tried again with a new producer a few times (a broker
    moving its partitions); then the error is the caller's.
    """
    attempt = 0
    while True:
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            transactional_id=transactional_id(group, tp),
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            **kafka_security(settings).aiokafka(),
        )
        try:
            await bounded(producer.start(), OPEN_DEADLINE_S)
            return producer
        except KafkaError as exc:
            await stop(producer)
            attempt += 1
            if attempt == OPEN_ATTEMPTS:
                raise
            log.warning("%s[%s]: producer not opened (%r), attempt %d", tp.topic, tp.partition, exc, attempt)
            await asyncio.sleep(min(2**attempt, 10))


async def committed_offset(admin: AIOKafkaAdminClient, group: str, tp: TP) -> int | None:
    """The group's committed offset of ``tp``, or None before its first commit."""
    key = TopicPartition(tp.topic, tp.partition)
    found = await admin.list_consumer_group_offsets(group, partitions=[key])
    offset = found.get(key)
    return offset.offset if offset is not None and offset.offset >= 0 else None


async def commit(
    producer: AIOKafkaProducer, tp: TP, group: str, messages: Iterable[Outgoing], next_offset: int
) -> None:
    """One transaction: ``messages`` and ``group``'s offset of ``tp`` moved to ``next_offset``, or nothing."""
    async with producer.transaction():
        for message in messages:
            await producer.send(message.topic, message.value, key=message.key, headers=message.headers)
        offsets = {TopicPartition(tp.topic, tp.partition): next_offset}
        await producer.send_offsets_to_transaction(offsets, group)
