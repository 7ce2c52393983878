"""What a downstream consumer of the lint-results topic is given: ``lint.result`` events per (job, task).

Read as the README tells consumers to read it (``read_committed``, from the
start, without joining a group's commits): a pair seen twice is a result
delivered twice. The harness holds this so that benchmarks and fault runs
count the same way (bench may not import ``faults``).
"""

import time
import uuid
from collections import Counter

from confluent_kafka import Consumer, KafkaError, TopicPartition

from schemas.codec import decode
from schemas.events import LintResult


def results_per_pair(bootstrap: str, topic: str, timeout: float = 60) -> Counter[tuple[str, str]]:
    """How many ``lint.result`` events each (job, task) has for a read-committed consumer (>1: a repeat)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4().hex}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest",
                         "enable.partition.eof": True, "isolation.level": "read_committed"})
    try:
        partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in sorted(partitions)])
        open_parts = set(partitions)
        counts: Counter[tuple[str, str]] = Counter()
        deadline = time.monotonic() + timeout
        while open_parts and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    open_parts.discard(msg.partition())
                continue
            result = decode(msg.value() or b"", LintResult)
            counts[str(result.job_id), str(result.task_id)] += 1
        if open_parts:
            raise TimeoutError(f"{topic} partitions {sorted(open_parts)} not read to their end in {timeout}s")
        return counts
    finally:
        consumer.close()
