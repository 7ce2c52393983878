"""The one in-memory account of what a worker is doing, that heartbeats, metrics and control share.

Agents record what they start and finish here; the heartbeat publisher turns
a snapshot into a ``worker.heartbeat``; control actions change the state and
record their outcome; ``reset_stats`` zeroes the counters. Keeping this in one
object means an operator's view, the Prometheus counters and the control
acknowledgements can never disagree about the same worker.
"""

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from runtime.settings import WorkerSettings
from schemas.worker_events import (
    AssignedPartition,
    ControlAck,
    HostUsage,
    LintProcess,
    WorkerHeartbeat,
    WorkerRole,
)

RunState = Literal["running", "paused", "stopping"]


def worker_id_for(role: WorkerRole, host: str, pid: int) -> str:
    """``processors@host-1234``: unique per process, readable, and safe in a URL path."""
    safe_host = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in host)[:150] or "host"
    return f"{role}@{safe_host}-{pid}"


@dataclass
class WorkerState:
    """Identity, counters and run state of one worker process."""

    role: WorkerRole
    consumer_group: str
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    client_id: str = ""
    state: RunState = "running"
    files_done: int = 0
    files_failed: int = 0
    current_tasks: set[UUID] = field(default_factory=set)
    last_control: ControlAck | None = None
    # Filled in by the service: its lint pool's processes, its consumer's assignment.
    lint_processes: Callable[[], tuple[LintProcess, ...]] = lambda: ()
    assigned: Callable[[], tuple[AssignedPartition, ...]] = lambda: ()

    @classmethod
    def for_settings(cls, role: WorkerRole, settings: WorkerSettings) -> "WorkerState":
        """The state of this process as a worker of ``settings.consumer_group_id``."""
        return cls(role=role, consumer_group=settings.consumer_group_id)

    @property
    def worker_id(self) -> str:
        """The key of this worker's heartbeats and control actions."""
        return worker_id_for(self.role, self.host, self.pid)

    def task_started(self, task_id: UUID) -> None:
        """A file is being worked on now."""
        self.current_tasks.add(task_id)

    def task_finished(self, task_id: UUID, *, failed: bool) -> None:
        """A file got its final result (a FAILURE counts as failed, a SUCCESS as done)."""
        self.current_tasks.discard(task_id)
        if failed:
            self.files_failed += 1
        else:
            self.files_done += 1

    def readiness(self) -> tuple[bool, str]:
        """Ready once the group gave this worker partitions: before that, work sent to it waits.

        A worker restarted after a crash can be up long before its partitions come back (a dead
        dynamic member keeps them until its session times out), so "process up" is not "ready".
        """
        if self.state == "stopping":
            return False, "stopping"
        count = len(self.assigned())
        if not count:
            return False, "waiting for partitions"
        return True, f"holding {count} partitions" + (" (paused)" if self.state == "paused" else "")

    def reset_stats(self) -> None:
        """The ``reset_stats`` control action: counters back to zero, identity and state kept."""
        self.files_done = 0
        self.files_failed = 0

    def heartbeat(
        self, interval_s: float, *, rss_bytes: int = 0, host_usage: HostUsage | None = None
    ) -> WorkerHeartbeat:
        """A snapshot of this worker for the workers topic."""
        return WorkerHeartbeat(
            worker_id=self.worker_id,
            role=self.role,
            host=self.host[:255],
            pid=self.pid,
            consumer_group=self.consumer_group,
            client_id=self.client_id,
            state=self.state,
            started_at=self.started_at,
            interval_s=interval_s,
            assigned=self.assigned(),
            lint_processes=self.lint_processes(),
            current_tasks=tuple(sorted(self.current_tasks)),
            files_done=self.files_done,
            files_failed=self.files_failed,
            rss_bytes=rss_bytes,
            host_usage=host_usage,
            last_control=self.last_control,
        )
