"""Queues in Kafka's terms: a topic's partitions, and how far each group is behind on them.

Lag is the end offset minus the group's committed offset, partition by
partition. A group counts as reading a topic once it committed on any of its
partitions; on a partition it has not committed yet, everything retained is
its lag. The dead-letter topic is nobody's queue, so its size is what matters.
"""

from collections.abc import Mapping
from datetime import datetime

from ingest.kafka_ops import Offsets
from schemas.monitoring import GroupLag, PartitionLag, PartitionView, QueuesView, TopicView
from schemas.topics import TopicNames

# The topics work flows through, by their field in TopicNames (small jobs' tasks take the express lane).
QUEUE_TOPICS = ("jobs", "tasks", "express_tasks", "progress", "lint_results", "dead_letter")
Marks = Mapping[tuple[str, int], tuple[int, int]]


def queue_topics(names: TopicNames) -> dict[str, str]:
    """Field → topic name of every queue."""
    return {field: str(getattr(names, field)) for field in QUEUE_TOPICS}


def _group_lag(group: str, topic: str, parts: list[PartitionView], committed: Offsets) -> GroupLag:
    rows = []
    for p in parts:
        offset = committed.get((topic, p.partition))
        behind = p.end_offset - (offset if offset is not None else p.start_offset)
        rows.append(PartitionLag(partition=p.partition, committed=offset, lag=max(0, behind)))
    return GroupLag(group_id=group, lag=sum(r.lag for r in rows), partitions=tuple(rows))


def _topic(
    field: str, topic: str, partitions: list[int], marks: Marks, committed: Mapping[str, Offsets]
) -> TopicView:
    parts = [
        PartitionView(partition=p, start_offset=marks[(topic, p)][0], end_offset=marks[(topic, p)][1])
        for p in partitions
    ]
    groups = tuple(
        _group_lag(group, topic, parts, offsets)
        for group, offsets in sorted(committed.items())
        if any(t == topic for t, _ in offsets)
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
    now: datetime,
) -> QueuesView:
    """Every queue topic with its partitions and the lag of each group reading it."""
    topics = tuple(
        _topic(field, topic, list(partitions.get(topic, ())), marks, committed)
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
