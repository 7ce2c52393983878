"""The pool of SQLFluff worker processes, awaited from the event loop.

Linting is CPU-bound and SQLFluff can hang or blow up on hostile input, so it
runs in pebble processes: a per-file timeout kills and replaces only that
worker, and workers are recycled after ``worker_max_tasks`` files so slow
leaks cannot accumulate. ``spawn`` keeps Kafka client threads and sockets of
the parent out of the children.
"""

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from pebble import ProcessExpired, ProcessPool
from pebble.pool.process import dictionary_keys, dictionary_values
from pydantic import TypeAdapter

from processors.fixing import FixedFile
from processors.lint_batch import Batcher
from processors.lint_worker import init_worker
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError, error_info
from schemas.events import ErrorInfo, LintOptions, Violation
from schemas.statuses import TaskStatus
from schemas.worker_events import LintProcess

T = TypeVar("T")
# A worker's violations validated in one call: about half the time of one model_validate per violation.
_VIOLATIONS = TypeAdapter(tuple[Violation, ...])
# The parent records a child's measurements of one file: (dialect, its outcome).
Measured = Callable[[str, "LintOutcome"], None]
# Outcomes that mean the worker process was lost on this file: the task is also dead-lettered.
WORKER_LOST_CODES = frozenset({ErrorCode.LINT_TIMEOUT, ErrorCode.LINT_CRASHED, ErrorCode.LINT_MEMORY})


class LintTimeoutError(LintServiceError, code=ErrorCode.LINT_TIMEOUT):
    """The file took longer than the per-file limit; its worker was killed."""


class WorkerExpiredError(LintServiceError, code=ErrorCode.LINT_CRASHED):
    """The worker process died while linting (``code`` says whether memory was the likely cause)."""


class LintMemoryError(WorkerExpiredError, code=ErrorCode.LINT_MEMORY):
    """The work hit the worker's address-space limit (``lint_memory_mb``) and raised MemoryError."""


@dataclass(frozen=True)
class LintOutcome:
    """What linting one file produced, ready to become a ``LintResult``."""

    status: TaskStatus
    violations: tuple[Violation, ...] = ()
    error: ErrorInfo | None = None
    duration_ms: float = 0.0
    linted_bytes: int = 0  # measured by the lint process; 0 when the process was lost
    pid: int = 0  # the lint process that answered; 0 when it was lost
    fix: FixedFile | None = None  # only when the job asked for fixes and the lint succeeded

    @classmethod
    def lost(cls, exc: LintTimeoutError | WorkerExpiredError, duration_ms: float) -> "LintOutcome":
        """The FAILURE of a file whose worker was lost on it (killed on time, or died)."""
        return cls(TaskStatus.FAILURE, (), error_info(exc), duration_ms)

    @classmethod
    def from_worker(cls, value: dict[str, Any]) -> "LintOutcome":
        """Rebuild the outcome from the plain dict a worker returned."""
        error = value.get("error")
        return cls(
            status=TaskStatus(value["status"]),
            violations=_VIOLATIONS.validate_python(value.get("violations", ())),
            error=ErrorInfo.model_validate(error) if error else None,
            duration_ms=float(value.get("duration_ms", 0.0)),
            linted_bytes=int(value.get("linted_bytes", 0)),
            pid=int(value.get("pid", 0)),
            fix=FixedFile.from_worker(value.get("fix")),
        )


class LintPool:
    """A spawn process pool that lints one file per call, with a timeout per file."""

    def __init__(
        self, *, workers: int, timeout_seconds: float, memory_mb: int, max_tasks: int,
        measured: Measured | None = None, batch_files: int = 1, batch_bytes: int = 0,
    ) -> None:
        """``batch_files`` > 1: small files travel in batches (:mod:`processors.lint_batch`).

        ``max_tasks`` counts files: a process is replaced after as many batches
        as hold at most that many files.
        """
        # Must be in the environment before the first spawn: SQLFluff's LT07
        # positions depend on set iteration order, i.e. on the hash seed.
        os.environ["PYTHONHASHSEED"] = "0"
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.memory_limited = memory_mb > 0
        self._spawn = partial(
            ProcessPool,
            max_workers=workers,
            max_tasks=-(-max_tasks // max(1, batch_files)),
            initializer=init_worker,
            initargs=(memory_mb,),
            context=multiprocessing.get_context("spawn"),
        )
        self._pool = self._spawn()
        self._measured = measured
        self._files_done: dict[int, int] = {}  # per lint process, from the pids its outcomes carry
        self._running: dict[Any, UUID | None] = {}  # scheduled future -> its (batch's first) task
        self.batcher = Batcher(self.submit, workers, batch_files, batch_bytes)

    async def submit(
        self, function: Callable[..., T], *args: Any, limit_seconds: float | None = None,
        task_id: UUID | None = None,
    ) -> T:
        """Run a picklable module-level ``function`` in a worker and await its value.

        Raises :class:`LintTimeoutError` or :class:`WorkerExpiredError` (of
        which :class:`LintMemoryError`); the pool replaces a lost worker by itself.
        """
        limit = self.timeout_seconds if limit_seconds is None else limit_seconds
        future = self._pool.schedule(function, args=args, timeout=limit)
        self._running[future] = task_id
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError as exc:
            raise LintTimeoutError(f"linting took longer than {limit:g} s") from exc
        except ProcessExpired as exc:
            raise _expired(exc, self.memory_limited) from exc
        except MemoryError as exc:  # raised in the worker under RLIMIT_AS, re-raised here by pebble
            raise LintMemoryError(f"the work exceeded the memory limit: {exc}") from exc
        finally:
            self._running.pop(future, None)

    async def lint(
        self, file_name: str, sql: str, options: LintOptions, task_id: UUID | None = None, *,
        measure: bool = True, express: bool = False,
    ) -> LintOutcome:
        """Lint one file; every failure is returned as a FAILURE outcome, and each attempt is measured.

        ``express``: to the head of the next batch. A lost process's duration
        counts from the moment the file was handed to the pool.
        """
        started = time.perf_counter()
        try:
            value = await self.batcher.lint(file_name, sql, options.model_dump_json(), task_id, express)
            outcome = LintOutcome.from_worker(value)
        except (LintTimeoutError, WorkerExpiredError) as exc:
            outcome = LintOutcome.lost(exc, (time.perf_counter() - started) * 1000)
        if not measure:  # the warm-up's probes are no one's files
            return outcome
        if outcome.pid:
            self._files_done[outcome.pid] = self._files_done.get(outcome.pid, 0) + 1
        if self._measured is not None:
            self._measured(options.dialect, outcome)
        return outcome

    def processes(self) -> tuple[LintProcess, ...]:
        """Every live lint process: busy with a task or idle, and the files it linted.

        Which process runs which task only pebble knows (its task and worker
        managers; no public API says it), read with its own race-safe helpers.
        """
        manager = self._pool._pool_manager
        tasks = dictionary_values(manager.task_manager.tasks)
        busy = {task.worker_id: self._running.get(task.future) for task in tasks if task.worker_id}
        pids = sorted(dictionary_keys(manager.worker_manager.workers))
        self._files_done = {pid: self._files_done.get(pid, 0) for pid in pids}  # recycled ones go
        return tuple(
            LintProcess(pid=pid, state="busy" if pid in busy else "idle", task_id=busy.get(pid),
                        files_done=self._files_done[pid])
            for pid in pids
        )

    async def warm_up(self) -> None:
        """Start every worker and build the default linter, so the first real file is not slow."""
        probe = ("warm_up.sql", "SELECT 1\n", LintOptions())
        await asyncio.gather(*(self.lint(*probe, measure=False) for _ in range(self.workers)))

    async def restart(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Replace every lint process (the ``pool_restart`` action); returns (old pids, new pids).

        New files go to a fresh pool at once; the old processes finish the files
        they hold (pebble's close and join, in a thread), so nothing in flight is
        lost, then exit. A file cannot hold them longer than its own time limit.
        """
        before = tuple(p.pid for p in self.processes())
        old, self._pool = self._pool, self._spawn()
        await self.warm_up()
        old.close()
        try:
            await asyncio.to_thread(old.join, self.timeout_seconds + 10)
        except TimeoutError:
            old.stop()
        return before, tuple(p.pid for p in self.processes())

    def close(self) -> None:
        """Stop the workers; pending files are abandoned (their offsets were not committed)."""
        self.batcher.close()
        self._pool.stop()
        self._pool.join(timeout=10)


def _expired(exc: ProcessExpired, memory_limited: bool) -> WorkerExpiredError:
    """Name the likely cause of a worker's death from how it died.

    SIGKILL is what the kernel's OOM killer sends. Under our address-space
    limit an allocation that fails in native code (the Rust parser, C
    extensions) ends in abort(), i.e. SIGABRT, instead of a MemoryError.
    """
    memory_deaths = {-signal.SIGKILL, -signal.SIGABRT} if memory_limited else {-signal.SIGKILL}
    if exc.exitcode in memory_deaths:
        return WorkerExpiredError(
            f"the worker died of signal {-exc.exitcode} at its memory limit", code=ErrorCode.LINT_MEMORY
        )
    crashed = f"the worker crashed with exit code {exc.exitcode}"
    return WorkerExpiredError(crashed, code=ErrorCode.LINT_CRASHED)
