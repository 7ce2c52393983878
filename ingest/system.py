"""Host usage: the ingest's own host measured now, the workers' hosts as their heartbeats said.

Operators see every machine from one endpoint without a login on each: a
worker reports its host with each heartbeat, and several workers on one host
are one row, from the newest report. Measuring blocks briefly (a disk_usage
of an NFS root may hang), so the caller runs :func:`ingest_host` in a thread.
CPU percent is measured since the previous call, never by sleeping.
"""

import os
import socket
from collections.abc import Iterable
from pathlib import Path

import psutil

from schemas.monitoring import DiskUsage, IngestHost, WorkerHost
from schemas.worker_events import HostUsage, WorkerHeartbeat


def _disk(path: Path) -> DiskUsage:
    usage = psutil.disk_usage(str(path))
    return DiskUsage(
        path=str(path),
        total_bytes=usage.total,
        used_bytes=usage.used,
        free_bytes=usage.free,
        percent=float(usage.percent),
    )


def _reachable(path: Path) -> DiskUsage | None:
    try:
        return _disk(path.resolve())
    except OSError:  # not mounted, gone, or not allowed: reported as unknown, not as a failure
        return None


def prime_cpu() -> None:
    """Start the CPU measurement window, so the first answer is not a meaningless 0."""
    psutil.cpu_percent(interval=None)


def ingest_host(storage_root: Path) -> IngestHost:
    """CPU, load, memory, the root filesystem and the storage root of this host."""
    memory = psutil.virtual_memory()
    return IngestHost(
        host=socket.gethostname(),
        cpu_percent=float(psutil.cpu_percent(interval=None)),
        cpu_count=psutil.cpu_count() or 1,
        load_1m=float(psutil.getloadavg()[0]),
        memory_total_bytes=memory.total,
        memory_used_bytes=memory.used,
        memory_percent=float(memory.percent),
        disk=_disk(Path(os.path.abspath(os.sep))),
        storage_root=_reachable(storage_root),
    )


def worker_hosts(beats: Iterable[WorkerHeartbeat]) -> tuple[WorkerHost, ...]:
    """One row per host that reported its usage, from its newest heartbeat, by host name."""
    by_host: dict[str, list[tuple[WorkerHeartbeat, HostUsage]]] = {}
    for beat in beats:
        if beat.host_usage is not None:
            by_host.setdefault(beat.host, []).append((beat, beat.host_usage))
    rows = []
    for host, reports in sorted(by_host.items()):
        newest, usage = max(reports, key=lambda report: report[0].sent_at)
        workers = tuple(sorted(beat.worker_id for beat, _ in reports))
        rows.append(WorkerHost(host=host, workers=workers, usage=usage, reported_at=newest.sent_at))
    return tuple(rows)
