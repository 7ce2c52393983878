"""Counting the records a read_committed reader is given between two offsets of a partition.

Under transactions an offset is not a record: every commit or abort marker takes an offset that
no reader is given, and an aborted transaction's records stay in the log unread. So the distance
between two offsets overcounts, and a group that read everything still looks one behind per
marker. Reading the span as a read_committed consumer does is the only exact count; it is done
for short spans only (the caller chooses), by one consumer that joins no group and commits
nothing. Below the last stable offset every transaction is decided, so the count of a span never
changes: it is kept for as long as the caller keeps asking for that span.
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition

log = logging.getLogger(__name__)
TP = tuple[str, int]


class Span(NamedTuple):
    """Offsets ``start`` (included) to ``end`` (excluded; at most the last stable offset) of a partition."""

    topic: str
    partition: int
    start: int
    end: int


class ReadableCounter:
    """Blocking and thread-safe; a span not read to its end within ``timeout_s`` is left out."""

    def __init__(self, config: dict[str, Any], timeout_s: float) -> None:
        self._config = {
            **config,
            # librdkafka insists on a group id; with assign() and no commits, the group is never created.
            "group.id": f"sqllint-readable-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed",
            # A span ending in markers is read through once an empty fetch reports the end: the
            # broker would hold that fetch for 500 ms by default, waiting for records not asked for.
            "fetch.wait.max.ms": 10,
            # A span whose start retention deleted meanwhile is read from the oldest record left.
            "auto.offset.reset": "earliest",
            "logger": log,
        }
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._consumer: Consumer | None = None
        self._known: dict[Span, int] = {}

    def close(self) -> None:
        """Close the consumer if one was ever needed (after a read in progress ends)."""
        with self._lock:
            if self._consumer is not None:
                self._consumer.close()
                self._consumer = None

    def count(self, spans: Iterable[Span]) -> dict[Span, int]:
        """Readable records of each span; kept counts answer at once, only the new spans are read."""
        wanted = set(spans)
        with self._lock:
            found = {span: self._known[span] for span in wanted if span in self._known}
            new = wanted - found.keys()
            if new:
                found |= self._read(new)
            self._known = found  # forgets spans nobody asks for any more: bounded by one view's spans
        return found

    def _read(self, spans: set[Span]) -> dict[Span, int]:
        starts: dict[TP, int] = {}
        ends: dict[TP, int] = {}
        for span in spans:  # several groups may lag on one partition: read it once, from the lowest
            tp = (span.topic, span.partition)
            starts[tp] = min(span.start, starts.get(tp, span.start))
            ends[tp] = max(span.end, ends.get(tp, span.end))
        offsets = self._offsets(starts, ends)
        return {
            span: sum(span.start <= o < span.end for o in offsets[(span.topic, span.partition)])
            for span in spans
            if (span.topic, span.partition) in offsets
        }

    def _offsets(self, starts: dict[TP, int], ends: dict[TP, int]) -> dict[TP, list[int]]:
        """The offsets of the records given from each start up to its end, of the partitions read through."""
        if self._consumer is None:
            self._consumer = Consumer(self._config)
        consumer = self._consumer
        consumer.assign([TopicPartition(t, p, offset) for (t, p), offset in starts.items()])
        found: dict[TP, list[int]] = {tp: [] for tp in starts}
        reading, failed = set(starts), set[TP]()
        deadline = time.monotonic() + self._timeout_s
        try:
            while reading and time.monotonic() < deadline:
                msg = consumer.poll(0.05)
                if msg is None or (tp := (msg.topic(), msg.partition())) not in reading:
                    continue
                done = _take(msg, ends[tp], found[tp])
                if done is not None:
                    reading.discard(tp)
                    if not done:
                        failed.add(tp)
        finally:
            consumer.unassign()  # or it would go on fetching these partitions in the background
        return {tp: offsets for tp, offsets in found.items() if tp not in reading | failed}


def _take(msg: Message, end: int, offsets: list[int]) -> bool | None:
    """None while the partition is not read up to ``end``; then True, or False when it cannot be read.

    A record is given (its offset kept when below ``end``) and ends the reading once it is the last
    one before ``end`` or past it. The end-of-partition event comes at the last stable offset,
    markers and aborted records before it skipped; one short of ``end`` (a broker's older view)
    means more is to come.
    """
    error, offset = msg.error(), msg.offset()
    if error is None:
        if offset < end:
            offsets.append(offset)
        return True if offset + 1 >= end else None
    if error.code() == KafkaError._PARTITION_EOF:
        return True if offset >= end else None
    return False
