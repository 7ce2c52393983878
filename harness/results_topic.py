"""What a downstream consumer of our topics is given: records read ``read_committed``, counted.

Read as the README tells consumers to read (``read_committed``, from the start,
committing nothing): a ``lint.result`` pair seen twice is a result delivered
twice. The harness holds this so that benchmarks and fault runs count the same
way (bench may not import ``faults``).
"""

import time
import uuid
from collections import Counter

from confluent_kafka import Consumer, KafkaError, TopicPartition

from runtime.kafka_readable import ReadableCounter, Span
from schemas.codec import decode
from schemas.events import LintResult


def reader_config(bootstrap: str, group: str) -> dict[str, object]:
    """A consumer that reads as downstream consumers must: committed records only, no commits."""
    return {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "enable.partition.eof": True,
            "isolation.level": "read_committed"}


def partitions_of(consumer: Consumer, topic: str) -> list[TopicPartition]:
    """Every partition of ``topic``, without an offset."""
    metadata = consumer.list_topics(topic, timeout=30).topics[topic]
    return [TopicPartition(topic, p) for p in sorted(metadata.partitions)]


def readable(consumer: Consumer, parts: list[TopicPartition], timeout: float = 60) -> Counter[bytes]:
    """Every readable value from ``parts``' offsets to their ends (the last stable offset), counted."""
    consumer.assign(parts)
    open_parts = {(tp.topic, tp.partition) for tp in parts}
    values: Counter[bytes] = Counter()
    deadline = time.monotonic() + timeout
    while open_parts and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                open_parts.discard((msg.topic(), msg.partition()))
            continue
        values[msg.value() or b""] += 1
    if open_parts:
        raise TimeoutError(f"{sorted(open_parts)} not read to their end in {timeout}s")
    return values


def unread(bootstrap: str, group: str, parts: list[TopicPartition]) -> int:
    """Records of ``parts`` that ``group`` has not committed, counted as a read-committed reader gets them.

    Past the end offset is not enough: a transaction's commit marker takes an offset that no
    reader is ever given, so a group that has read everything may commit one short of it, and a
    partition holding only aborted records never gets an offset at all. The spans are counted by
    the ingest's own counter (a span it could not read counts as its offset distance).
    """
    consumer = Consumer(reader_config(bootstrap, group))
    try:
        spans = []
        for tp in consumer.committed(parts, timeout=30):
            low, high = consumer.get_watermark_offsets(tp, timeout=30)
            start = tp.offset if tp.offset >= 0 else low
            if high > start:
                spans.append(Span(tp.topic, tp.partition, start, high))
    finally:
        consumer.close()
    counter = ReadableCounter({"bootstrap.servers": bootstrap}, timeout_s=60)
    try:
        counted = counter.count(spans)
    finally:
        counter.close()
    return sum(counted.get(span, span.end - span.start) for span in spans)


def committed_values(bootstrap: str, topic: str, timeout: float = 60) -> Counter[bytes]:
    """Every value a read-committed consumer is given on ``topic``, from its start to its end, counted."""
    consumer = Consumer(reader_config(bootstrap, f"probe-{uuid.uuid4().hex}"))
    try:
        parts = partitions_of(consumer, topic)
        for tp in parts:
            tp.offset = 0
        return readable(consumer, parts, timeout)
    finally:
        consumer.close()


def results_per_pair(bootstrap: str, topic: str, timeout: float = 60) -> Counter[tuple[str, str]]:
    """How many ``lint.result`` events each (job, task) has for a read-committed consumer (>1: a repeat)."""
    counts: Counter[tuple[str, str]] = Counter()
    for value, n in committed_values(bootstrap, topic, timeout).items():
        result = decode(value, LintResult)
        counts[str(result.job_id), str(result.task_id)] += n
    return counts
