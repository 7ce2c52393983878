"""What the ingest's operations API answers: workers, queues, hosts, their health, control.

These are HTTP answers, not Kafka events, so they carry no ``event_type``; but
the dashboard and outside tools read them, so they are contracts like the
events: frozen, strict, no unknown keys. Read an answer with
``Model.model_validate_json(body)`` (strict mode takes ISO datetimes and UUIDs
as strings only from JSON). A worker's own parts (its partitions, lint
processes, host usage, last control ack) are the heartbeat's classes, so the
two can never drift apart.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from schemas.worker_events import (
    AssignedPartition,
    ControlAck,
    ControlAction,
    HostUsage,
    LintProcess,
    WorkerRole,
)


class View(BaseModel):
    """Base of every operations answer."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


class WorkerView(View):
    """One worker: a consumer-group member, its newest heartbeat, or (usually) both.

    Fields a heartbeat alone knows are None (or empty) for a member that has
    not beaten yet; ``member_id`` is None for a worker whose member the group
    description did not show (between a join and the next description).
    """

    worker_id: str
    role: WorkerRole
    consumer_group: str
    state: Literal["running", "paused", "stopping", "unknown"]
    host: str | None
    pid: int | None
    client_id: str | None
    member_id: str | None
    in_group: bool = Field(description="Seen as a member in the group's description.")
    assigned: tuple[AssignedPartition, ...]
    lint_processes: tuple[LintProcess, ...]
    current_tasks: tuple[UUID, ...]
    files_done: int
    files_failed: int
    rss_bytes: int
    started_at: datetime | None
    uptime_s: float | None
    last_heartbeat: datetime | None
    heartbeat_age_s: float | None
    last_control: ControlAck | None


class GroupView(View):
    """One consumer group as the broker describes it."""

    group_id: str
    role: WorkerRole | None
    state: str = Field(description="The broker's group state: STABLE, EMPTY, PREPARING_REBALANCE, ...")
    members: int
    error: str | None = None


class WorkersView(View):
    """GET /api/v1/monitoring/workers."""

    generated_at: datetime
    total_workers: int
    workers_by_role: dict[str, int]
    workers: tuple[WorkerView, ...]
    groups: tuple[GroupView, ...]
    heartbeats_loaded: bool = Field(description="The heartbeat reader has read the workers topic to its end.")


class PartitionView(View):
    """One partition of a topic: its oldest and next offsets."""

    partition: int
    start_offset: int
    end_offset: int


class PartitionLag(View):
    """A group's position on one partition; ``committed`` is None before its first commit."""

    partition: int
    committed: int | None
    lag: int


class GroupLag(View):
    """How far one consumer group is behind on one topic."""

    group_id: str
    lag: int
    partitions: tuple[PartitionLag, ...]


class TopicView(View):
    """One topic (a "queue"): its partitions and every monitored group reading it."""

    name: str = Field(description="The topic's field in TopicNames: jobs, tasks, ...")
    topic: str
    messages: int = Field(description="Retained messages: the sum of end minus start offsets.")
    partitions: tuple[PartitionView, ...]
    groups: tuple[GroupLag, ...]


class QueuesView(View):
    """GET /api/v1/monitoring/queues."""

    generated_at: datetime
    total_lag: int
    topics: tuple[TopicView, ...]
    dead_letter_topic: str
    dead_letter_messages: int


class DiskUsage(View):
    """The filesystem holding ``path``."""

    path: str
    total_bytes: int
    used_bytes: int
    free_bytes: int
    percent: float


class IngestHost(View):
    """The ingest's own host, measured when asked."""

    host: str
    cpu_percent: float
    cpu_count: int
    load_1m: float
    memory_total_bytes: int
    memory_used_bytes: int
    memory_percent: float
    disk: DiskUsage
    storage_root: DiskUsage | None = Field(description="None when the storage root is not reachable.")


class WorkerHost(View):
    """A worker host as its newest heartbeat reported it."""

    host: str
    workers: tuple[str, ...]
    usage: HostUsage
    reported_at: datetime


class SystemView(View):
    """GET /api/v1/monitoring/system."""

    generated_at: datetime
    ingest: IngestHost
    worker_hosts: tuple[WorkerHost, ...]


class LagSample(View):
    """The total lag over every monitored group and topic at one moment."""

    at: datetime
    total_lag: int


class WorkersHealth(View):
    """GET /api/v1/health/workers: 200 when healthy, 503 with ``reasons`` otherwise."""

    status: Literal["healthy", "unhealthy"]
    generated_at: datetime
    alive: dict[str, int] = Field(description="Live workers by role.")
    total_lag: int | None
    lag_samples: tuple[LagSample, ...]
    reasons: tuple[str, ...]


class ControlRequest(View):
    """The body of POST /api/v1/monitoring/workers/{worker_id}/control."""

    action: ControlAction


class ControlAccepted(View):
    """202: the action is on the control topic; its ack comes in the worker's heartbeat (last_control)."""

    request_id: UUID
    worker_id: str
    action: ControlAction
    requested_at: datetime
