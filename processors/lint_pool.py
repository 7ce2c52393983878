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
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from processors.lint_worker import init_worker, lint_text
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError, error_info
from schemas.events import ErrorInfo, LintOptions, Violation
from schemas.statuses import TaskStatus

T = TypeVar("T")
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
            violations=tuple(Violation.model_validate(v) for v in value.get("violations", ())),
            error=ErrorInfo.model_validate(error) if error else None,
            duration_ms=float(value.get("duration_ms", 0.0)),
        )


class LintPool:
    """A spawn process pool that lints one file per call, with a timeout per file."""

    def __init__(self, *, workers: int, timeout_seconds: float, memory_mb: int, max_tasks: int) -> None:
        # Must be in the environment before the first spawn: SQLFluff's LT07
        # positions depend on set iteration order, i.e. on the hash seed.
        os.environ["PYTHONHASHSEED"] = "0"
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.memory_limited = memory_mb > 0
        self._pool = ProcessPool(
            max_workers=workers,
            max_tasks=max_tasks,
            initializer=init_worker,
            initargs=(memory_mb,),
            context=multiprocessing.get_context("spawn"),
        )

    async def submit(self, function: Callable[..., T], *args: Any, limit_seconds: float | None = None) -> T:
        """Run a picklable module-level ``function`` in a worker and await its value.

        Raises :class:`LintTimeoutError` or :class:`WorkerExpiredError` (of
        which :class:`LintMemoryError`); the pool replaces a lost worker by itself.
        """
        limit = self.timeout_seconds if limit_seconds is None else limit_seconds
        future = self._pool.schedule(function, args=args, timeout=limit)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError as exc:
            raise LintTimeoutError(f"linting took longer than {limit:g} s") from exc
        except ProcessExpired as exc:
            raise _expired(exc, self.memory_limited) from exc
        except MemoryError as exc:  # raised in the worker under RLIMIT_AS, re-raised here by pebble
            raise LintMemoryError(f"the work exceeded the memory limit: {exc}") from exc

    async def lint(self, file_name: str, sql: str, options: LintOptions) -> LintOutcome:
        """Lint one file; every failure is returned as a FAILURE outcome."""
        started = time.perf_counter()
        try:
            value = await self.submit(lint_text, file_name, sql, options.model_dump_json())
        except (LintTimeoutError, WorkerExpiredError) as exc:
            return LintOutcome.lost(exc, (time.perf_counter() - started) * 1000)
        return LintOutcome.from_worker(value)

    async def warm_up(self) -> None:
        """Start every worker and build the default linter, so the first real file is not slow."""
        probes = (self.lint("warm_up.sql", "SELECT 1\n", LintOptions()) for _ in range(self.workers))
        await asyncio.gather(*probes)

    def close(self) -> None:
        """Stop the workers; pending files are abandoned (their offsets were not committed)."""
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
