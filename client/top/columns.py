"""The columns of the workers table: what each cell shows and how the column sorts.

A column's sort direction is the one an operator wants first: names A to Z,
numbers largest first (the busiest, the most failed, the fattest, the
stalest heartbeat on top), so one key press puts the suspect in row one.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from client.top import format as fmt
from schemas.monitoring import WorkerView


def busy_processes(worker: WorkerView) -> int:
    """How many of the worker's lint processes are linting now."""
    return sum(1 for p in worker.lint_processes if p.state == "busy")


def lint_cell(worker: WorkerView) -> str:
    """``1/2 busy``, or a dash for a worker without a lint pool (the sink)."""
    if not worker.lint_processes:
        return fmt.DASH
    return f"{busy_processes(worker)}/{len(worker.lint_processes)} busy"


def partitions_cell(worker: WorkerView) -> str:
    """``tasks.v1:0,1 jobs.v1:2``-like, by topic; the details screen has the full names."""
    by_topic: dict[str, list[int]] = {}
    for part in worker.assigned:
        by_topic.setdefault(part.topic, []).append(part.partition)
    return " ".join(f"{t}:{','.join(map(str, sorted(ps)))}" for t, ps in sorted(by_topic.items())) or fmt.DASH


@dataclass(frozen=True)
class Column:
    """One column: its title, its cell and its sort key (None values sort last)."""

    title: str
    cell: Callable[[WorkerView], str]
    key: Callable[[WorkerView], Any]
    descending: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("worker", lambda w: w.worker_id, lambda w: w.worker_id),
    Column("role", lambda w: w.role, lambda w: w.role),
    Column("host", lambda w: w.host or fmt.DASH, lambda w: w.host),
    Column("state", lambda w: w.state, lambda w: w.state),
    Column("partitions", partitions_cell, lambda w: len(w.assigned), descending=True),
    Column("lint", lint_cell, busy_processes, descending=True),
    Column("tasks", lambda w: str(len(w.current_tasks)), lambda w: len(w.current_tasks), descending=True),
    Column("done", lambda w: str(w.files_done), lambda w: w.files_done, descending=True),
    Column("failed", lambda w: str(w.files_failed), lambda w: w.files_failed, descending=True),
    Column("rss", lambda w: fmt.size(w.rss_bytes), lambda w: w.rss_bytes, descending=True),
    Column("beat", lambda w: fmt.age(w.heartbeat_age_s), lambda w: w.heartbeat_age_s, descending=True),
)


def sort_workers(workers: Sequence[WorkerView], column: Column) -> list[WorkerView]:
    """The workers in the column's order, ties by worker id; a missing value always last."""
    by_id = sorted(workers, key=lambda w: w.worker_id)
    present = [w for w in by_id if column.key(w) is not None]
    missing = [w for w in by_id if column.key(w) is None]
    return sorted(present, key=column.key, reverse=column.descending) + missing

