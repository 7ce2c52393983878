"""What a read_committed reader sees, and a group's committed offset: what transaction tests assert.

Shared by the kit's and the gateway's transaction tests.
"""

import time
from typing import Protocol

from confluent_kafka import Consumer, TopicPartition


class Partition(Protocol):
    """Faust's TP or aiokafka's TopicPartition: both name a topic and a partition."""

    topic: str
    partition: int


def committed_reads(bootstrap: str, topic: str, group: str, tp: Partition) -> tuple[list[bytes], int]:
    """Every committed value of ``topic`` read within 6 s, and ``group``'s committed offset of ``tp``."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{group}-reader",
                       "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                       "enable.auto.commit": False})
    reader.subscribe([topic])
    values: list[bytes] = []
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        msg = reader.poll(0.3)
        if msg is not None and msg.error() is None:
            values.append(msg.value())
    reader.close()
    member = Consumer({"bootstrap.servers": bootstrap, "group.id": group})  # asks only: joins nothing
    [committed] = member.committed([TopicPartition(tp.topic, tp.partition)], timeout=10)
    member.close()
    return values, committed.offset
