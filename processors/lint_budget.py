"""Lint-seconds per job: the files of a job past its tenant's budget fail instead of being linted.

What is counted is the time the lint processes spent on the job's files (each
attempt's ``duration_ms``, a lost process's included): a cache hit costs
nothing. Each processors worker keeps its own account of the jobs whose files
it linted, so the budget holds per worker: a worker lints no file of a job
after that job used its budget there, and overshoots it by at most the files
it had already started (each at most ``lint_timeout_seconds``). A job's tasks
spread over every tasks partition, so across N workers the job may use up to
N budgets (docs/security.md, Fair share and lint budget).

Accounts are kept in an LRU of recent jobs, so memory stays flat however many
jobs pass; a job evicted from it (its files further apart than
``budget_jobs`` other jobs) starts a new account, i.e. the bound is per
worker and per stay in the LRU.
"""

from uuid import UUID

from cachetools import LRUCache

from runtime.tenant_limits import TenantLimitTable
from schemas.error_codes import ErrorCode
from schemas.errors import failure
from schemas.events import DEFAULT_TENANT, ErrorInfo, LintTask


class LintBudget:
    """Seconds of lint-process time used per job, in this worker."""

    def __init__(self, limits: TenantLimitTable, max_jobs: int = 10_000) -> None:
        self._limits = limits
        self._used: LRUCache[UUID, float] = LRUCache(maxsize=max_jobs)

    def limit_s(self, task: LintTask) -> float:
        """The budget of the task's job: its tenant's ``lint_seconds_per_job``."""
        return self._limits.for_tenant(task.tenant or DEFAULT_TENANT).lint_seconds_per_job

    def used_s(self, job_id: UUID) -> float:
        """Seconds this worker's lint processes spent on the job so far."""
        return self._used.get(job_id, 0.0)

    def refusal(self, task: LintTask) -> ErrorInfo | None:
        """``LINT_BUDGET_EXCEEDED`` when the task's job has used its budget here; ``None`` to lint it."""
        used, limit = self.used_s(task.job_id), self.limit_s(task)
        if used < limit:
            return None
        return failure(
            ErrorCode.LINT_BUDGET_EXCEEDED,
            f"the job used {used:.3f} s of lint time, its tenant's limit is {limit:g} s per job",
        )

    def spend(self, job_id: UUID, duration_ms: float) -> None:
        """Add one lint attempt's process time to its job's account."""
        self._used[job_id] = self.used_s(job_id) + max(0.0, duration_ms) / 1000
