"""Where a one-line job's time goes, hop by hop, from the Kafka timestamps of its events.

Every event carries the time its producer sent it (CreateTime, ms), and all processes
share one clock here, so a job's events on the jobs, tasks, progress and results topics
cut POST -> COMPLETED into hops without tracing: the ingest, the expansion, the lint,
and the last hop (the processors' producer linger and, under exactly_once, their
transaction's commit; the sink's fetch, batching and DB transaction; the watcher's poll).
Read uncommitted, so a timestamp is when the event was sent, not when it became visible.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from bench.report import Row, percentile
from schemas.topics import TopicNames

# (label, from, to): event types, or "posted"/"done" for the client's clock.
HOPS = (
    ("ingest: POST -> job.submitted sent", "posted", "job.submitted"),
    ("expand: job.submitted -> task.created sent", "job.submitted", "task.created"),
    ("lint: task.created -> lint.result sent", "task.created", "lint.result"),
    ("last hop: lint.result sent -> seen COMPLETED", "lint.result", "done"),
)


@dataclass(frozen=True)
class Trip:
    """The client's wall-clock times of one job: POST sent, final status first seen."""

    posted: float
    done: float


def hop_rows(bootstrap: str, topics: TopicNames, trips: Mapping[str, Trip], label: str) -> list[Row]:
    """p50/p99 of each hop over ``trips`` (ms), and how many jobs had every timestamp."""
    sent = _first_sent(bootstrap, [topics.jobs, topics.tasks, topics.express_tasks, topics.lint_results],
                       set(trips))
    spans: dict[str, list[float]] = {name: [] for name, _, _ in HOPS}
    complete = 0
    for job_id, trip in trips.items():
        times = {"posted": trip.posted, "done": trip.done, **sent.get(job_id, {})}
        if not all(a in times and b in times for _, a, b in HOPS):
            continue
        complete += 1
        for name, a, b in HOPS:
            spans[name].append((times[b] - times[a]) * 1000)
    note = f"{complete} of {len(trips)} jobs; Kafka CreateTime, ms resolution"
    return [
        Row("latency", f"{label}: {name} p50 / p99", percentile(values, 50), "ms",
            note=f"p99 {percentile(values, 99):.0f} ms; {note}")
        for name, values in spans.items() if values
    ]


def _first_sent(bootstrap: str, names: Iterable[str], jobs: set[str]) -> dict[str, dict[str, float]]:
    """Job id -> event type -> the earliest send time (s) of that event on ``names``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-hops",
                         "enable.auto.commit": False, "isolation.level": "read_uncommitted"})
    try:
        meta = consumer.list_topics(timeout=10).topics
        parts = [TopicPartition(t, p, OFFSET_BEGINNING) for t in set(names) if t in meta
                 for p in meta[t].partitions]
        ends = {(tp.topic, tp.partition): consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in parts}
        pending = {key for key, end in ends.items() if end > 0}
        consumer.assign(parts)
        sent: dict[str, dict[str, float]] = {}
        while pending:
            msg = consumer.poll(5)
            if msg is None:
                break
            if msg.error() is not None:
                continue
            key = (msg.topic(), msg.partition())
            if msg.offset() + 1 >= ends[key]:
                pending.discard(key)
            _note(sent, jobs, msg.value(), msg.timestamp()[1] / 1000)
        return sent
    finally:
        consumer.close()


def _note(sent: dict[str, dict[str, float]], jobs: set[str], value: bytes | None, at: float) -> None:
    try:
        event = json.loads(value or b"")
    except ValueError:
        return
    job_id = str(event.get("job_id"))
    if job_id in jobs:
        kinds = sent.setdefault(job_id, {})
        kind = str(event.get("event_type"))
        kinds[kind] = min(kinds.get(kind, at), at)
