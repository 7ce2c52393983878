"""What the dashboard's tables and panels say, from monitoring answers built in memory."""

import uuid
from datetime import UTC, datetime
from typing import Any

from client.top.columns import COLUMNS, lint_cell, partitions_cell, sort_workers
from client.top.data import Snapshot
from client.top.panels import jobs_lines, queue_rows, system_lines, worker_lines
from client.top.rates import JobRates
from schemas.monitoring import (
    DiskUsage,
    GroupLag,
    IngestHost,
    PartitionLag,
    PartitionView,
    QueuesView,
    SystemView,
    TopicView,
    WorkerHost,
    WorkersHealth,
    WorkersView,
    WorkerView,
)
from schemas.worker_events import AssignedPartition, ControlAck, HostUsage, LintProcess

NOW = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
GIB = 1024**3


def worker(worker_id: str, **fields: Any) -> WorkerView:
    base: dict[str, Any] = {
        "worker_id": worker_id, "role": "processors", "consumer_group": "g-proc", "state": "running",
        "host": "h1", "pid": 10, "client_id": "c", "member_id": "m", "in_group": True, "assigned": (),
        "lint_processes": (), "current_tasks": (), "files_done": 0, "files_failed": 0, "rss_bytes": 0,
        "started_at": NOW, "uptime_s": 60.0, "last_heartbeat": NOW, "heartbeat_age_s": 1.0,
        "last_control": None,
    }
    return WorkerView(**{**base, **fields})


def column(title: str) -> Any:
    return next(c for c in COLUMNS if c.title == title)


def test_cells_of_a_busy_processor_and_of_the_sink() -> None:
    busy = worker("processors@h1-10", assigned=(AssignedPartition(topic="t.tasks", partition=2),
                                                 AssignedPartition(topic="t.tasks", partition=0),
                                                 AssignedPartition(topic="t.jobs", partition=1)),
                  lint_processes=(LintProcess(pid=11, state="busy", task_id=uuid.uuid4()),
                                  LintProcess(pid=12, state="idle")))
    assert partitions_cell(busy) == "t.jobs:1 t.tasks:0,2"
    assert lint_cell(busy) == "1/2 busy"
    sink = worker("sink@h1-20", role="sink")
    assert (partitions_cell(sink), lint_cell(sink)) == ("-", "-")


def test_names_sort_up_numbers_down_missing_values_last() -> None:
    a = worker("a", files_failed=1, rss_bytes=3 * GIB, heartbeat_age_s=2.0, host="h2")
    b = worker("b", files_failed=5, rss_bytes=1 * GIB, heartbeat_age_s=None, host=None)
    c = worker("c", files_failed=5, rss_bytes=2 * GIB, heartbeat_age_s=9.0, host="h1")
    ids = {title: [w.worker_id for w in sort_workers([b, c, a], column(title))]
           for title in ("worker", "host", "failed", "rss", "beat")}
    assert ids == {"worker": ["a", "b", "c"], "host": ["c", "a", "b"], "failed": ["b", "c", "a"],
                   "rss": ["a", "c", "b"], "beat": ["c", "a", "b"]}


def test_queue_rows_one_per_group_and_topics_without_groups() -> None:
    queues = QueuesView(
        generated_at=NOW, total_lag=7, dead_letter_topic="t.dead", dead_letter_messages=3,
        topics=(
            TopicView(name="tasks", topic="t.tasks", messages=40,
                      partitions=(PartitionView(partition=0, start_offset=0, end_offset=40),),
                      groups=(GroupLag(group_id="g-proc", lag=7,
                                       partitions=(PartitionLag(partition=0, committed=33, lag=7),)),
                              GroupLag(group_id="g-sink", lag=0, partitions=()))),
            TopicView(name="dead_letter", topic="t.dead", messages=3, partitions=(), groups=()),
        ),
    )
    assert queue_rows(queues) == [("t.tasks", "1", "40", "g-proc", "7 (p0:7)"), ("", "", "", "g-sink", "0"),
                                  ("t.dead", "0", "3", "-", "-")]
    health = WorkersHealth(status="unhealthy", generated_at=NOW, alive={"processors": 0}, total_lag=7,
                           lag_samples=(), reasons=("no live processors worker",))
    rates = JobRates()
    rates.add(0.0, {"ACCEPTED": 1, "PROCESSING": 0, "COMPLETED": 0, "PARTIALLY_COMPLETED": 0, "FAILED": 0})
    rates.add(60.0, {"ACCEPTED": 0, "PROCESSING": 2, "COMPLETED": 1, "PARTIALLY_COMPLETED": 0, "FAILED": 0})
    workers = WorkersView(generated_at=NOW, total_workers=1, workers_by_role={"processors": 1},
                          workers=(worker("w", files_failed=4),), groups=(), heartbeats_loaded=True)
    lines = jobs_lines(Snapshot(at=60.0, workers=workers, queues=queues, health=health), rates)
    assert lines == [
        "submitted 2.0/min", "completed 1.0/min  (total 1)", "partially_completed 0.0/min  (total 0)",
        "failed 0.0/min  (total 0)", "in flight: accepted 0, processing 2", "files failed (live workers): 4",
        "dead letters: 3  total lag: 7", "health: unhealthy", "  ! no live processors worker",
    ]


def test_system_and_worker_details() -> None:
    disk = DiskUsage(path="/", total_bytes=100 * GIB, used_bytes=25 * GIB, free_bytes=75 * GIB, percent=25.0)
    usage = HostUsage(cpu_percent=50.0, cpu_count=2, memory_total_bytes=8 * GIB, memory_used_bytes=2 * GIB,
                      disk_total_bytes=10 * GIB, disk_used_bytes=9 * GIB, load_1m=1.5)
    system = SystemView(
        generated_at=NOW,
        ingest=IngestHost(host="api", cpu_percent=12.0, cpu_count=4, load_1m=0.25,
                          memory_total_bytes=16 * GIB, memory_used_bytes=4 * GIB,
                          memory_percent=25.0, disk=disk, storage_root=None),
        worker_hosts=(WorkerHost(host="h1", workers=("a", "b"), usage=usage, reported_at=NOW),),
    )
    assert system_lines(system) == [
        "ingest api: cpu 12% of 4  load 0.25  mem 4.0 GiB/16 GiB (25%)",
        "  disk 25 GiB/100 GiB (25%)  storage unreachable",
        "h1 (2 workers): cpu 50% of 2  load 1.50  mem 2.0 GiB/8.0 GiB (25%)  disk 9.0 GiB/10 GiB (90%)",
    ]
    ack = ControlAck(request_id=uuid.uuid4(), action="pause", outcome="done", done_at=NOW)
    text = "\n".join(worker_lines(worker("sink@h1-20", role="sink", pid=None, last_control=ack)))
    assert "worker     sink@h1-20" in text
    assert "pid -" in text
    assert "  (none)" in text
    assert "last control: pause done at 23:00:00" in text
