"""What a worker's host is using, for its heartbeat: CPU, memory, the storage root's disk, load.

Operators see every host from the ingest alone (the heartbeats), with no
agent of its own on the host. Reading the disk of a network share can block,
so callers run :func:`host_usage` in a thread.
"""

import os
from pathlib import Path

import psutil

from schemas.worker_events import HostUsage


def existing_parent(path: Path) -> Path:
    """``path``, or its nearest existing ancestor: the storage root may not exist yet on a fresh host."""
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def host_usage(storage_root: Path) -> HostUsage:
    """The host now; CPU is the average since the previous call (the first call of a process says 0)."""
    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(str(existing_parent(storage_root)))
    return HostUsage(
        cpu_percent=psutil.cpu_percent(interval=None),
        cpu_count=psutil.cpu_count() or 1,
        memory_total_bytes=memory.total,
        memory_used_bytes=memory.total - memory.available,
        disk_total_bytes=disk.total,
        disk_used_bytes=disk.used,
        load_1m=max(0.0, os.getloadavg()[0]),
    )


def rss_bytes() -> int:
    """The resident memory of this process (its lint pool's processes are theirs, not counted here)."""
    return int(psutil.Process().memory_info().rss)
