"""The text of the dashboard's panels, from a snapshot: pure, so it is tested without a terminal.

Each function returns plain lines; the widgets only place them. Keeping the
wording here means a test can read exactly what an operator reads.
"""

from client.top import format as fmt
from client.top.columns import partitions_cell
from client.top.data import Snapshot
from client.top.rates import FINAL, IN_FLIGHT, SUBMITTED, JobRates
from schemas.monitoring import GroupLag, QueuesView, SystemView, WorkerView
from schemas.worker_events import HostUsage


def queue_rows(queues: QueuesView) -> list[tuple[str, str, str, str, str]]:
    """(topic, partitions, messages, group, lag): a row per group reading a topic, or the topic alone."""
    rows: list[tuple[str, str, str, str, str]] = []
    for topic in queues.topics:
        first = (topic.topic, str(len(topic.partitions)), str(topic.messages))
        if not topic.groups:
            rows.append((*first, fmt.DASH, fmt.DASH))
        for i, group in enumerate(topic.groups):
            rows.append((*(first if i == 0 else ("", "", "")), group.group_id, lag_cell(group)))
    return rows


def lag_cell(group: GroupLag) -> str:
    """``7 (p0:5 p3:2)``: the group's lag and the partitions behind, where a stuck one shows."""
    behind = " ".join(f"p{p.partition}:{p.lag}" for p in group.partitions if p.lag)
    return f"{group.lag} ({behind})" if behind else str(group.lag)


def jobs_lines(snapshot: Snapshot, rates: JobRates) -> list[str]:
    """Jobs per minute by status, the in-flight counts, and every failure signal in one place."""
    per_minute = rates.per_minute()
    counts = rates.current()
    lines = [f"submitted {fmt.rate(per_minute[SUBMITTED])}"]
    lines += [f"{s.value.lower()} {fmt.rate(per_minute[s])}  (total {counts.get(s, 0)})" for s in FINAL]
    lines.append("in flight: " + ", ".join(f"{s.value.lower()} {counts.get(s, 0)}" for s in IN_FLIGHT))
    workers = snapshot.workers.workers if snapshot.workers else ()
    lines.append(f"files failed (live workers): {sum(w.files_failed for w in workers)}")
    if snapshot.queues is not None:
        queues = snapshot.queues
        lines.append(f"dead letters: {queues.dead_letter_messages}  total lag: {queues.total_lag}")
    if snapshot.health is not None:
        lines.append(f"health: {snapshot.health.status}")
        lines += [f"  ! {reason}" for reason in snapshot.health.reasons]
    return lines


def _usage(cpu: float, cores: int, load: float, mem_used: int, mem_total: int) -> str:
    return f"cpu {fmt.percent(cpu)} of {cores}  load {load:.2f}  mem {fmt.used_of(mem_used, mem_total)}"


def _worker_host(name: str, workers: int, u: HostUsage) -> str:
    usage = _usage(u.cpu_percent, u.cpu_count, u.load_1m, u.memory_used_bytes, u.memory_total_bytes)
    return f"{name} ({workers} workers): {usage}  disk {fmt.used_of(u.disk_used_bytes, u.disk_total_bytes)}"


def system_lines(system: SystemView) -> list[str]:
    """The ingest host, then each worker host, as their CPU, load, memory and disk."""
    i = system.ingest
    storage = (f"storage {fmt.used_of(i.storage_root.used_bytes, i.storage_root.total_bytes)}"
               if i.storage_root else "storage unreachable")
    usage = _usage(i.cpu_percent, i.cpu_count, i.load_1m, i.memory_used_bytes, i.memory_total_bytes)
    return [
        f"ingest {i.host}: {usage}",
        f"  disk {fmt.used_of(i.disk.used_bytes, i.disk.total_bytes)}  {storage}",
        *(_worker_host(h.host, len(h.workers), h.usage) for h in system.worker_hosts),
    ]


def worker_lines(w: WorkerView) -> list[str]:
    """Everything the API knows about one worker, for its details screen."""
    pid = fmt.DASH if w.pid is None else str(w.pid)
    lines = [
        f"worker     {w.worker_id}",
        f"role       {w.role}   group {w.consumer_group}   in group: {'yes' if w.in_group else 'no'}",
        f"host       {w.host or fmt.DASH}   pid {pid}",
        f"state      {w.state}   up {fmt.age(w.uptime_s)}   last beat {fmt.age(w.heartbeat_age_s)} ago",
        f"client     {w.client_id or fmt.DASH}   member {w.member_id or fmt.DASH}",
        f"files      done {w.files_done}   failed {w.files_failed}   rss {fmt.size(w.rss_bytes)}",
        f"partitions {partitions_cell(w)}",
        f"tasks now  {', '.join(map(str, w.current_tasks)) or fmt.DASH}",
        "lint pool:",
    ]
    pool = [f"  pid {p.pid:<8} {p.state:<5} files {p.files_done:<6} {p.task_id or ''}"
            for p in w.lint_processes]
    lines += pool or ["  (none)"]
    ack = w.last_control
    lines.append(f"last control: {ack.action} {ack.outcome} at {ack.done_at:%H:%M:%S} {ack.detail}".rstrip()
                 if ack else "last control: none")
    return lines
