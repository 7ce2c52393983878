"""Linting one task: get its text (inline or from storage), answer from the cache or lint it."""

import asyncio
from dataclasses import dataclass
from functools import partial

from processors.fix_transport import fix_for_wire
from processors.lint_budget import LintBudget
from processors.lint_cache import LintCache, cached_result
from processors.lint_gate import LintGate
from processors.lint_pool import LintOutcome, LintPool
from processors.results import SQLFLUFF_VERSION, failure_result
from processors.retry import RetryAnnouncer, lint_with_retries
from processors.settings import ProcessorSettings
from processors.storage import FileMissingError, FileTooLargeError, UnsafePathError, read_task_sql
from processors.text import NotTextError
from schemas.error_codes import ErrorCode
from schemas.errors import error_info
from schemas.events import CachedLint, ErrorInfo, LintResult, LintTask
from schemas.statuses import TaskStatus

_FILE_ERRORS = (UnsafePathError, FileMissingError, FileTooLargeError, NotTextError)
# An inline text up to this size is hashed on the event loop (tens of microseconds): a hop to a
# thread and back costs more, as each wakes the other through the GIL on busy cores.
INLINE_ON_LOOP_CHARS = 16 * 1024


@dataclass(frozen=True)
class LintedTask:
    """The task's one result, plus the cache entry to publish when it was freshly linted."""

    result: LintResult
    new_entry: CachedLint | None = None
    cache_missed: bool = False  # looked up in the cache, not found, linted (a miss for the metrics)


@dataclass(frozen=True)
class Admission:
    """What stands between a task and the pool: its job's lint budget and the lanes' priority gate."""

    budget: LintBudget | None = None
    gate: LintGate | None = None
    express: bool = False  # the task came down the express lane: first to the next free process

    async def lint(self, pool: LintPool, task: LintTask, sql: str) -> LintOutcome:
        """One attempt, holding a gate slot, its process time charged to the job."""
        lint = partial(pool.lint, task.file_name, sql, task.options, task.task_id, express=self.express)
        if self.gate is None:
            outcome = await lint()
        else:
            async with self.gate.slot(self.express):
                outcome = await lint()
        if self.budget is not None:
            self.budget.spend(task.job_id, outcome.duration_ms)
        return outcome


def _read_and_key(task: LintTask, settings: ProcessorSettings, cache: LintCache | None) -> tuple[str, str]:
    # Blocking: storage reads and hashing up to max_file_bytes stay off the event loop.
    sql = read_task_sql(task, settings.nfs_share_root_path, settings.max_file_bytes)
    return sql, cache.key_for(sql, task.options, task.tenant) if cache is not None else ""


def _unreadable(task: LintTask, error: ErrorInfo) -> LintedTask:
    return LintedTask(failure_result(task.job_id, task.task_id, task.file_name, task.options, error))


def _without_lint(
    task: LintTask, cache: LintCache | None, key: str, admission: Admission
) -> LintedTask | None:
    """The cached result (its twin finished after this task was expanded), or the budget's refusal."""
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        return LintedTask(cached_result(task.job_id, task.task_id, task.file_name, task.options, hit))
    refused = admission.budget.refusal(task) if admission.budget is not None else None
    return _unreadable(task, refused) if refused is not None else None


async def lint_task(
    task: LintTask,
    settings: ProcessorSettings,
    pool: LintPool,
    cache: LintCache | None = None,
    announce_retry: RetryAnnouncer | None = None,
    admission: Admission = Admission(),
) -> LintedTask:
    """A file we cannot read or lint is a FAILURE result, never an exception.

    A crashed lint is retried (:mod:`processors.retry`); ``announce_retry`` publishes each ``task.retried``.
    A file of a job that used its lint budget (``admission``) fails with ``LINT_BUDGET_EXCEEDED``
    unless the cache answers it (a hit costs no lint time).
    A job asking for fixes bypasses the cache both ways: its key differs from a
    lint-only one, and fixed texts (or paths into one job's storage) are not remembered.
    """
    if task.options.fix:
        cache = None
    try:
        if task.sql_content is not None and len(task.sql_content) <= INLINE_ON_LOOP_CHARS:
            sql, key = _read_and_key(task, settings, cache)  # no disk, little to hash: not worth a thread hop
        else:
            sql, key = await asyncio.to_thread(_read_and_key, task, settings, cache)
    except _FILE_ERRORS as exc:
        return _unreadable(task, error_info(exc))
    except OSError as exc:  # NFS trouble other than a missing file: this file fails, visibly
        return _unreadable(task, error_info(exc, ErrorCode.STORAGE_ERROR))
    settled = _without_lint(task, cache, key, admission)
    if settled is not None:
        return settled
    outcome = await lint_with_retries(lambda: admission.lint(pool, task, sql), task, settings, announce_retry)
    try:
        result = await _result(task, outcome, settings)
    except OSError as exc:  # the fix could not be kept on the storage root: this file fails, visibly
        return _unreadable(task, error_info(exc, ErrorCode.STORAGE_ERROR))
    if cache is None or outcome.status is not TaskStatus.SUCCESS:
        # Timeouts and crashes depend on the moment, not only the file: never remembered.
        return LintedTask(result, cache_missed=cache is not None)
    return LintedTask(result, cache.remember(key, outcome.violations), cache_missed=True)


async def _result(task: LintTask, outcome: LintOutcome, settings: ProcessorSettings) -> LintResult:
    fix = None
    if outcome.fix is not None:
        root = settings.nfs_share_root_path
        fix = await asyncio.to_thread(fix_for_wire, outcome.fix, task.job_id, task.task_id, root)
    return LintResult(
        job_id=task.job_id,
        task_id=task.task_id,
        file_name=task.file_name,
        status=outcome.status,
        violations=outcome.violations,
        error=outcome.error,
        dialect=task.options.dialect,
        sqlfluff_version=SQLFLUFF_VERSION,
        duration_ms=outcome.duration_ms,
        fix=fix,
    )
