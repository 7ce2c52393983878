"""The one routing table: which topic carries each event, and under which key.

Keys decide partitions, and partitions decide ordering: everything about a job
is keyed by its job id so one consumer sees it in order, except tasks, keyed
by task id so a job's files spread over every lint partition, cache entries,
keyed by content hash so compaction keeps one per lint, and heartbeats and
control actions, keyed by worker id. Producers
route with :func:`route`; consumers ask :func:`events_on` what a topic may
carry, so adding an event is one line here and nowhere else.
"""

from dataclasses import dataclass
from typing import Literal

from schemas.events import (
    CachedLint,
    DeadLetter,
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintResult,
    LintTask,
    Record,
    TaskRegistered,
    TaskRetried,
    TaskStarted,
)
from schemas.topics import TopicNames
from schemas.worker_events import WorkerControl, WorkerHeartbeat

TopicField = Literal[
    "jobs", "tasks", "progress", "lint_results", "dead_letter", "lint_cache", "workers", "control"
]


@dataclass(frozen=True)
class Route:
    """A topic (by its field in :class:`TopicNames`) and the key of an event on it."""

    topic: TopicField
    key_field: str | None  # None: the producer passes the key (a dead letter keeps its original one)


ROUTES: dict[type[Record], Route] = {
    JobSubmitted: Route("jobs", "job_id"),
    LintTask: Route("tasks", "task_id"),
    TaskRegistered: Route("progress", "job_id"),
    TaskStarted: Route("progress", "job_id"),
    TaskRetried: Route("progress", "job_id"),
    JobExpanded: Route("progress", "job_id"),
    JobRejected: Route("progress", "job_id"),
    LintResult: Route("lint_results", "job_id"),
    DeadLetter: Route("dead_letter", None),
    CachedLint: Route("lint_cache", "key"),
    WorkerHeartbeat: Route("workers", "worker_id"),
    WorkerControl: Route("control", "worker_id"),
}


def route(event: Record, names: TopicNames, key: bytes | None = None) -> tuple[str, bytes | None]:
    """The topic name and message key for ``event``; ``key`` only for events routed without one."""
    entry = ROUTES[type(event)]
    topic = str(getattr(names, entry.topic))
    if entry.key_field is None:
        return topic, key
    return topic, str(getattr(event, entry.key_field)).encode()


def events_on(topic: TopicField) -> tuple[type[Record], ...]:
    """The event classes a topic carries, in table order: what its consumers decode."""
    return tuple(cls for cls, entry in ROUTES.items() if entry.topic == topic)
