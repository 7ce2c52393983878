"""The one routing table: which topic carries each event, and under which key.

Keys decide partitions, and partitions decide ordering: everything about a job
is keyed by its job id so one consumer sees it in order, except tasks, keyed
by task id so a job's files spread over every lint partition, cache entries,
keyed by content hash so compaction keeps one per lint, and heartbeats and
control actions, keyed by worker id. Producers
route with :func:`route`; consumers ask :func:`events_on` what a topic may
carry, so adding an event is one line here and nowhere else.

A lane is a second topic for the events of another: ``express_tasks`` carries
the tasks of small jobs, consumed by its own agent, so a one-file job's task
never queues in a partition behind a big job's thousands (docs/performance.md, Fairness).
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
    "jobs", "tasks", "progress", "lint_results", "dead_letter", "lint_cache", "workers", "control",
    "express_tasks",
]
# Lane -> the topic whose events it carries, under the same keys.
LANES: dict[TopicField, TopicField] = {"express_tasks": "tasks"}


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


def route(
    event: Record, names: TopicNames, key: bytes | None = None, lane: TopicField | None = None
) -> tuple[str, bytes | None]:
    """The topic name and message key for ``event``; ``key`` only for events routed without one.

    ``lane`` sends the event down a lane of its topic instead (a ``ValueError`` if it is not one).
    """
    entry = ROUTES[type(event)]
    field = entry.topic
    if lane is not None:
        if LANES.get(lane) != entry.topic:
            raise ValueError(f"{lane} is not a lane of {entry.topic}, which carries {type(event).__name__}")
        field = lane
    topic = str(getattr(names, field))
    if entry.key_field is None:
        return topic, key
    return topic, str(getattr(event, entry.key_field)).encode()


def events_on(topic: TopicField) -> tuple[type[Record], ...]:
    """The event classes a topic (or lane) carries, in table order: what its consumers decode."""
    carried = LANES.get(topic, topic)
    return tuple(cls for cls, entry in ROUTES.items() if entry.topic == carried)
