"""Queues in Kafka's terms: a topic's partitions, and how far each group is behind on them.

Lag is what a read_committed reader would still be given, partition by
partition: from the group's committed offset (the oldest retained one before
its first commit, or once retention passed it) to the last stable offset, so
an open transaction's records are not lag yet. Offsets overcount that: each
transaction's marker takes one no reader is given, and a group that read
everything commits short of it. Where the distance is at most
:data:`READ_UP_TO`, the span is read and its records counted; a longer one is
a real backlog, and its distance is the lag. A group counts as reading a topic
once it committed on any of its partitions. The dead-letter topic is nobody's
queue, so its size is what matters.
"""

from collections.abc import Mapping
from datetime import datetime

from ingest.kafka_ops import Offsets
from runtime.kafka_readable import Span
from schemas.monitoring import GroupLag, PartitionLag, PartitionView, QueuesView, TopicView
from schemas.topics import TopicNames

# The topics work flows through, by their field in TopicNames (small jobs' tasks take the express lane).
QUEUE_TOPICS = ("jobs", "tasks", "express_tasks", "progress", "lint_results", "dead_letter")
Marks = Mapping[tuple[str, int], tuple[int, int]]
# Spans this short are read, longer ones are a real backlog (an overcount of a few markers hardly
# matters there). Each transaction that wrote to a partition ends in a marker, and one transactional
# producer per input partition of the stage upstream writes to it (as many as that topic's
# partitions, 8 by default): the tail a group that read everything leaves is those producers' last
# markers, at worst with a short aborted transaction among them. 32 covers that; reading 32 small
# records is one fetch, and an unchanged span is not read again.
READ_UP_TO = 32


def queue_topics(names: TopicNames) -> dict[str, str]:
    """Field → topic name of every queue."""
    return {field: str(getattr(names, field)) for field in QUEUE_TOPICS}


def _next(offset: int | None, first: int) -> int:
    """The offset a group reads next: its committed one, unless retention already deleted it."""
    return first if offset is None else max(offset, first)


def _lag(topic: str, p: PartitionView, offset: int | None, readable: Mapping[Span, int]) -> int:
    start = _next(offset, p.start_offset)
    if start >= p.end_offset:
        return 0
    return readable.get(Span(topic, p.partition, start, p.end_offset), p.end_offset - start)


def _group_lag(
    group: str, topic: str, parts: list[PartitionView], committed: Offsets, readable: Mapping[Span, int]
) -> GroupLag:
    rows = []
    for p in parts:
        offset = committed.get((topic, p.partition))
        lag = _lag(topic, p, offset, readable)
        rows.append(PartitionLag(partition=p.partition, committed=offset, lag=lag))
    return GroupLag(group_id=group, lag=sum(r.lag for r in rows), partitions=tuple(rows))


def _reads(topic: str, committed: Offsets) -> bool:
    return any(t == topic for t, _ in committed)


def spans_to_read(marks: Marks, committed: Mapping[str, Offsets]) -> set[Span]:
    """Every span from a reading group's next offset to the end that is not empty but at most READ_UP_TO."""
    spans = set()
    for (topic, partition), (first, end) in marks.items():
        for offsets in committed.values():
            start = _next(offsets.get((topic, partition)), first)
            if _reads(topic, offsets) and 0 < end - start <= READ_UP_TO:
                spans.add(Span(topic, partition, start, end))
    return spans


def _topic(
    field: str,
    topic: str,
    partitions: list[int],
    marks: Marks,
    committed: Mapping[str, Offsets],
    readable: Mapping[Span, int],
) -> TopicView:
    parts = [
        PartitionView(partition=p, start_offset=marks[(topic, p)][0], end_offset=marks[(topic, p)][1])
        for p in partitions
    ]
    groups = tuple(
        _group_lag(group, topic, parts, offsets, readable)
        for group, offsets in sorted(committed.items())
        if _reads(topic, offsets)
    )
    return TopicView(
        name=field,
        topic=topic,
        messages=sum(p.end_offset - p.start_offset for p in parts),
        partitions=tuple(parts),
        groups=groups,
    )


def queues_view(
    names: TopicNames,
    partitions: Mapping[str, list[int]],
    marks: Marks,
    committed: Mapping[str, Offsets],
    readable: Mapping[Span, int],
    now: datetime,
) -> QueuesView:
    """Every queue topic with its partitions and the lag of each group reading it.

    ``readable`` holds the counted spans (see :func:`spans_to_read`); a span missing from it
    (not read in time) counts by its offsets, an upper bound.
    """
    topics = tuple(
        _topic(field, topic, list(partitions.get(topic, ())), marks, committed, readable)
        for field, topic in queue_topics(names).items()
    )
    dead = next(t for t in topics if t.name == "dead_letter")
    return QueuesView(
        generated_at=now,
        total_lag=sum(g.lag for t in topics for g in t.groups),
        topics=topics,
        dead_letter_topic=dead.topic,
        dead_letter_messages=dead.messages,
    )
