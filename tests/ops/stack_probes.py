"""Helpers of the operations tests: a private stack on MariaDB, and the lint processes of a worker.

The lint processes are the worker's ``spawn`` children (their command line
runs ``multiprocessing.spawn``); the resource tracker, also a child, is not one.
A process is *linting* a file once its CPU time exceeds what start-up and the
warm-up lint cost the warm processes, so a test can kill the one that holds a file.
"""

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psutil

from harness import resources
from harness.settings import StackSettings
from harness.stack import Stack, running
from schemas.topics import TopicNames


@contextmanager
def private_stack(
    kafka: str, mysql_server_url: str, workdir: Path, processors: tuple[Mapping[str, str], ...], **env: str
) -> Iterator[tuple[Stack, TopicNames]]:
    """Ingest, sink, ``len(processors)`` processor workers, on topics, groups and a database of their own."""
    storage = workdir / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    with resources.temporary_topics(kafka, "ops", strict=False) as topics, \
            resources.migrated_database(mysql_server_url) as db_url:
        group = f"ops-{resources.short_id()}"
        settings = StackSettings(kafka, db_url, workdir, storage=storage, topics=topics, group=group,
                                 partitions=4, port=resources.free_port(), processors=processors, env=env)
        with running(settings) as stack:
            yield stack, topics


def lint_processes(service_pid: int) -> list[psutil.Process]:
    """The lint pool's processes of the worker whose pid is ``service_pid``."""
    found = []
    for child in psutil.Process(service_pid).children(recursive=True):
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU time of ``process``; 0 once it is gone."""
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(times.user + times.system)


def wait_lint_processes(service_pid: int, count: int, timeout: float = 60) -> list[psutil.Process]:
    """Wait until the worker has ``count`` lint processes, all past their start-up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = lint_processes(service_pid)
        if len(found) == count:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"worker {service_pid} never had {count} lint processes")


def wait_linting(service_pid: int, idle_cpu_s: float, skip: set[int], timeout: float = 120) -> psutil.Process:
    """The lint process (not in ``skip``) that has used ``idle_cpu_s`` + 1.5 s of CPU: it holds a file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in lint_processes(service_pid):
            if process.pid not in skip and cpu_seconds(process) > idle_cpu_s + 1.5:
                return process
        time.sleep(0.1)
    raise TimeoutError(f"no lint process of {service_pid} started linting in {timeout}s")
