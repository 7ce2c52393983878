"""Records written and read the way the processors under exactly_once write and read them.

Each transaction leaves a marker (an offset no reader is given) and an aborted
one leaves its records in the log unread: the queues view must count neither.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

TIMEOUT_S = 15


def _producer(bootstrap: str) -> Producer:
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"t-{uuid.uuid4().hex}"})
    producer.init_transactions(TIMEOUT_S)
    return producer


def _write(producer: Producer, topic: str, partition: int, count: int) -> None:
    """``count`` records of the open transaction, in the log (flushed) before it is decided."""
    for i in range(count):
        producer.produce(topic, value=b"{}", key=str(i).encode(), partition=partition)
    assert producer.flush(TIMEOUT_S) == 0


def in_transactions(bootstrap: str, topic: str, partition: int, batches: list[tuple[int, bool]]) -> None:
    """Each (count, commit) batch in a transaction of its own, committed or aborted."""
    producer = _producer(bootstrap)
    for count, commit in batches:
        producer.begin_transaction()
        _write(producer, topic, partition, count)
        if commit:
            producer.commit_transaction(TIMEOUT_S)
        else:
            producer.abort_transaction(TIMEOUT_S)


@contextmanager
def open_transaction(bootstrap: str, topic: str, partition: int, count: int) -> Iterator[None]:
    """``count`` records of a transaction left open for the block, aborted after it."""
    producer = _producer(bootstrap)
    producer.begin_transaction()
    _write(producer, topic, partition, count)
    try:
        yield
    finally:
        producer.abort_transaction(TIMEOUT_S)


def read_and_commit(bootstrap: str, group: str, topic: str, partition: int) -> int:
    """Read the partition to its end read_committed and commit past the last record given, as Faust does.

    Returns how many records were given.
    """
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
        "enable.partition.eof": True, "isolation.level": "read_committed",
    })
    given, last = 0, -1
    try:
        consumer.assign([TopicPartition(topic, partition, 0)])
        while (msg := consumer.poll(TIMEOUT_S)) is not None:
            if msg.error() is None:
                given += 1
                last = msg.offset()
            elif msg.error().code() == KafkaError._PARTITION_EOF:
                break
        assert given, f"nothing to read on {topic}:{partition}"
        consumer.commit(offsets=[TopicPartition(topic, partition, last + 1)], asynchronous=False)
    finally:
        consumer.close()
    return given
