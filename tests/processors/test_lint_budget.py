"""Lint-seconds per job with a real pool: past its tenant's budget, a job's files fail, others go on."""

import uuid
from pathlib import Path

from processors.lint_budget import LintBudget
from processors.lint_cache import LintCache
from processors.lint_gate import LintGate
from processors.lint_pool import LintPool
from processors.lint_step import Admission, lint_task
from processors.settings import ProcessorSettings
from runtime.tenant_limits import TenantLimits, TenantLimitTable
from schemas.events import LintOptions, LintTask
from schemas.statuses import TaskStatus

# One millisecond: any real lint uses it up, so a job's second file is past its budget.
LIMITS = TenantLimitTable(default=TenantLimits(lint_seconds_per_job=0.001),
                          tenants={"roomy": {"lint_seconds_per_job": 3600}})


def _task(job_id: uuid.UUID, n: int, tenant: str | None = None, sql: str | None = None) -> LintTask:
    text = sql or f"select a,b  from t{n}\n"
    return LintTask(task_id=uuid.uuid4(), job_id=job_id, ordinal=n, file_name=f"f{n}.sql",
                    sql_content=text, size_bytes=len(text), options=LintOptions(), tenant=tenant)


async def test_files_past_the_budget_fail_and_other_jobs_and_tenants_go_on(tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path, tenant_limits=LIMITS)
    budget = LintBudget(settings.tenant_limits)
    admission = Admission(budget, LintGate(1))
    cache = LintCache(10)
    tight, other, roomy = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pool = LintPool(workers=1, timeout_seconds=60, memory_mb=1536, max_tasks=0)
    try:
        tight_results = [await lint_task(_task(tight, n), settings, pool, cache, None, admission)
                         for n in range(3)]
        one = _task(other, 9, sql="select 1\n")
        other_first = await lint_task(one, settings, pool, cache, None, admission)
        roomy_results = [await lint_task(_task(roomy, n, "roomy"), settings, pool, cache, None, admission)
                         for n in range(3)]
        # A cache hit costs no lint time: the spent job still gets the answer another job paid for.
        hit = await lint_task(_task(tight, 3, sql="select 1\n"), settings, pool, cache, None, admission)
    finally:
        pool.close()

    statuses = [linted.result.status for linted in tight_results]
    assert statuses == [TaskStatus.SUCCESS, TaskStatus.FAILURE, TaskStatus.FAILURE]
    for refused in tight_results[1:]:
        assert refused.result.error is not None
        assert refused.result.error.code == "LINT_BUDGET_EXCEEDED"
        assert "0.001 s per job" in refused.result.error.message
        assert refused.new_entry is None  # a refusal is never remembered
    assert budget.used_s(tight) > 0.001  # what the first file really cost, measured by its process
    assert other_first.result.status is TaskStatus.SUCCESS  # the budget is per job
    assert [r.result.status for r in roomy_results] == [TaskStatus.SUCCESS] * 3  # per tenant too
    assert (hit.result.status, hit.result.cached) == (TaskStatus.SUCCESS, True)


def test_accounts_are_bounded_and_start_at_zero() -> None:
    budget = LintBudget(LIMITS, max_jobs=2)
    jobs = [uuid.uuid4() for _ in range(3)]
    for job in jobs:
        budget.spend(job, 5.0)
    assert budget.used_s(jobs[0]) == 0.0  # the oldest account went past the bound
    assert budget.used_s(jobs[2]) == 0.005
    assert budget.refusal(_task(jobs[2], 0)) is not None
    assert budget.refusal(_task(jobs[2], 0, "roomy")) is None
