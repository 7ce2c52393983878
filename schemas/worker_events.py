"""What workers say about themselves, and what operators tell them (internal topics).

A worker is a member of a consumer group; what a group description cannot
say (its lint processes, current tasks, counters, host usage, the last
control action it carried out) it publishes as a heartbeat on a compacted
topic keyed by worker id, so the newest heartbeat of every worker is always
there to read. Operators' control actions travel on a control topic keyed by
worker id; the worker acknowledges each in its next heartbeat.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.events import Record, utc_now

WorkerRole = Literal["processors", "sink"]
ControlAction = Literal["shutdown", "pool_restart", "reset_stats", "pause", "resume"]
# Safe in a URL path segment: ``processors@host-12345``.
WORKER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,199}$"


class AssignedPartition(Record):
    """One partition this worker consumes."""

    topic: str
    partition: int = Field(ge=0)


class LintProcess(Record):
    """One process of the lint pool (processors only)."""

    pid: int = Field(ge=0)
    state: Literal["idle", "busy"]
    task_id: UUID | None = None
    files_done: int = Field(0, ge=0)


class HostUsage(Record):
    """The worker host's usage, so operators see every host from the ingest alone."""

    cpu_percent: float = Field(ge=0)
    cpu_count: int = Field(ge=1)
    memory_total_bytes: int = Field(ge=0)
    memory_used_bytes: int = Field(ge=0)
    disk_total_bytes: int = Field(ge=0, description="Of the filesystem holding the storage root.")
    disk_used_bytes: int = Field(ge=0)
    load_1m: float = Field(ge=0)


class ControlAck(Record):
    """The outcome of the last control action this worker carried out."""

    request_id: UUID
    action: ControlAction
    outcome: Literal["done", "failed"]
    detail: str = Field("", max_length=1024)
    done_at: datetime = Field(default_factory=utc_now)


class WorkerHeartbeat(Record):
    """A worker's state, every few seconds (compacted workers topic, keyed by worker id).

    A worker that stops cleanly publishes a tombstone (a null value) for its
    key; one that dies simply stops beating, and readers drop it once
    ``sent_at`` is older than its group's session timeout.
    """

    event_type: Literal["worker.heartbeat"] = "worker.heartbeat"
    schema_version: Literal[1] = 1
    worker_id: str = Field(pattern=WORKER_ID_PATTERN)
    role: WorkerRole
    host: str = Field(max_length=255)
    pid: int = Field(ge=0)
    consumer_group: str
    client_id: str = Field(description="The Kafka client id, to match the group description's members.")
    state: Literal["running", "paused", "stopping"]
    started_at: datetime
    sent_at: datetime = Field(default_factory=utc_now)
    interval_s: float = Field(gt=0, description="Seconds between heartbeats.")
    assigned: tuple[AssignedPartition, ...] = ()
    lint_processes: tuple[LintProcess, ...] = ()
    current_tasks: tuple[UUID, ...] = ()
    files_done: int = Field(0, ge=0)
    files_failed: int = Field(0, ge=0)
    rss_bytes: int = Field(0, ge=0)
    host_usage: HostUsage | None = None
    last_control: ControlAck | None = None


class WorkerControl(Record):
    """An operator's action for one worker (control topic, keyed by worker id)."""

    event_type: Literal["worker.control"] = "worker.control"
    schema_version: Literal[1] = 1
    request_id: UUID
    worker_id: str = Field(pattern=WORKER_ID_PATTERN)
    action: ControlAction
    requested_at: datetime = Field(default_factory=utc_now)
