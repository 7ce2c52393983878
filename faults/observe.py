"""Watching the database during a run (status monotonicity, progress) and auditing it after.

The sampler reads the tasks and jobs tables a few times a second and keeps the
highest rank each row has shown; a lower rank later, or a row vanishing, is a
regression. Progress (final tasks over time) gives the recovery times.
"""

import itertools
import json
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from faults.load import template_of
from harness.oracle import comparable
from runtime.tables import jobs, tasks
from schemas.statuses import JOB_FINAL, TASK_FINAL, JobStatus, TaskStatus, job_rank, task_rank

_FINAL_TASKS = [s.value for s in TASK_FINAL]
_FINAL_JOBS = [s.value for s in JOB_FINAL]


class Sampler(threading.Thread):
    """Background reader of the tables; ``final`` is the number of final tasks last seen."""

    def __init__(self, engine: Engine, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.interval = interval
        self.final = 0
        self.samples = 0
        self.timeline: list[tuple[float, int]] = []
        self.regressions: list[str] = []
        self._task_rank: dict[str, int] = {}
        self._job_rank: dict[str, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        """Sample until :meth:`stop`; a failing read is skipped, not fatal."""
        while not self._halt.wait(self.interval):
            try:
                with self.engine.connect() as conn:
                    task_rows = conn.execute(sa.select(tasks.c.task_id, tasks.c.status)).all()
                    job_rows = conn.execute(sa.select(jobs.c.job_id, jobs.c.status)).all()
            except SQLAlchemyError:
                continue  # the database may be the fault; keep watching
            self._check(task_rows, job_rows)

    def _check(self, task_rows: list[sa.Row], job_rows: list[sa.Row]) -> None:
        self.samples += 1
        seen_tasks = {r.task_id: task_rank(TaskStatus(r.status)) for r in task_rows}
        seen_jobs = {r.job_id: job_rank(JobStatus(r.status)) for r in job_rows}
        for kind, seen, ranks in (("task", seen_tasks, self._task_rank), ("job", seen_jobs, self._job_rank)):
            for key, old in ranks.items():
                new = seen.get(key)
                if new is None or new < old:
                    self.regressions.append(f"{kind} {key}: rank {old} -> {new}")
            ranks.update({k: max(v, ranks.get(k, -1)) for k, v in seen.items()})
        self.final = sum(1 for r in task_rows if r.status in _FINAL_TASKS)
        self.timeline.append((time.monotonic(), self.final))

    def wait_final(self, count: int, timeout: float) -> None:
        """Block until at least ``count`` tasks are final."""
        deadline = time.monotonic() + timeout
        while self.final < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.final} of {count} tasks final after {timeout}s")
            time.sleep(0.1)

    def longest_stall(self, since: float) -> float:
        """Longest time, in a stall that ended after ``since``, during which no task became final."""
        pairs = itertools.pairwise(self.timeline)
        rises = [moment for (_, before), (moment, count) in pairs if count > before]
        gaps = [b - a for a, b in itertools.pairwise(rises) if b > since]
        return max(gaps, default=0.0)

    def stop(self) -> None:
        """End the sampling and wait for the thread."""
        self._halt.set()
        self.join(10)


def wait_all_final(engine: Engine, job_ids: list[str], timeout: float) -> float:
    """Seconds until every job in ``job_ids`` has a final status (or the timeout)."""
    started = time.monotonic()
    pending = set(job_ids)
    while pending and time.monotonic() - started < timeout:
        try:
            with engine.connect() as conn:
                done = conn.execute(
                    sa.select(jobs.c.job_id).where(jobs.c.job_id.in_(sorted(pending)),
                                                   jobs.c.status.in_(_FINAL_JOBS))
                ).scalars().all()
        except SQLAlchemyError:
            done = []
        pending -= set(done)
        if pending:
            time.sleep(0.25)
    return time.monotonic() - started


@dataclass
class Audit:
    """What the database says about the accepted jobs, after the run."""

    completed: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: int = 0
    missing_results: int = 0
    wrong_results: int = 0
    unasked_jobs: int = 0
    final_pairs: set[tuple[str, str]] = field(default_factory=set)  # (job, task) of the final tasks


def audit(engine: Engine, accepted: dict[str, int], expected: dict[int, object]) -> Audit:
    """Every accepted job final with exactly its tasks, each final once, each result right."""
    result = Audit()
    with engine.connect() as conn:
        job_rows = {r.job_id: r for r in conn.execute(sa.select(jobs)).all()}
        task_rows = conn.execute(sa.select(tasks)).all()
    by_job: dict[str, list[sa.Row]] = {}
    for row in task_rows:
        by_job.setdefault(row.job_id, []).append(row)
    result.unasked_jobs = len(set(job_rows) - set(accepted))
    for job_id, want in accepted.items():
        job, rows = job_rows.get(job_id), by_job.get(job_id, [])
        ordinals = [r.ordinal for r in rows]
        result.duplicated += len(ordinals) - len(set(ordinals))
        final = [r for r in rows if r.status in _FINAL_TASKS]
        ok = (job is not None and job.status in _FINAL_JOBS and job.task_count == want
              and len(final) == want and job.tasks_succeeded + job.tasks_failed == want)
        if not ok:
            result.lost.append(job_id)
            continue
        result.completed += 1
        result.final_pairs.update((r.job_id, r.task_id) for r in final)
        for row in final:
            if not row.result_json:
                result.missing_results += 1
                continue
            record = json.loads(row.result_json)
            oracle = expected[template_of(row.file_name)]
            if row.status != "SUCCESS" or comparable(record["violations"]) != oracle:
                result.wrong_results += 1
    return result


def dump(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    """Every row of jobs and tasks, sorted: two dumps compare equal only if nothing changed."""
    with engine.connect() as conn:
        job_rows = conn.execute(sa.select(jobs).order_by(jobs.c.job_id)).all()
        task_rows = conn.execute(sa.select(tasks).order_by(tasks.c.task_id)).all()
    return [tuple(r) for r in job_rows], [tuple(r) for r in task_rows]


def diff_rows(before: list[tuple], after: list[tuple]) -> int:
    """How many rows differ (changed, added or removed) between two sorted dumps."""
    return len(set(before) ^ set(after))


Dump = tuple[list[tuple], list[tuple]]


def changed_columns(before: Dump, after: Dump) -> dict[str, int]:
    """``table.column`` → rows whose value changed between two dumps: what a failed replay changed."""
    counts: dict[str, int] = {}
    for table, old, new in ((jobs, before[0], after[0]), (tasks, before[1], after[1])):
        by_key = {row[0]: row for row in old}
        for row in new:
            previous = by_key.get(row[0])
            if previous is None or previous == row:
                continue
            for name, was, now in zip(table.c.keys(), previous, row, strict=True):
                if was != now:
                    counts[f"{table.name}.{name}"] = counts.get(f"{table.name}.{name}", 0) + 1
    return counts
