"""The lint cache kept per tenant: a hit never tells one tenant what another linted."""

import io
import uuid
import zipfile
from pathlib import Path

from processors.cache_key import cache_key
from processors.expand import iter_job_events
from processors.lint_cache import LintCache
from processors.lint_pool import LintPool
from processors.lint_step import lint_task
from processors.settings import ProcessorSettings
from schemas.events import DEFAULT_TENANT, JobSubmitted, LintOptions, LintResult, LintTask
from schemas.statuses import SubmissionType, TaskStatus

SQL = "select a,b  from t\n"
OPTIONS = LintOptions(dialect="ansi", exclude_rules=("AM04",))


def _inline(tenant: str | None, options: LintOptions = OPTIONS) -> JobSubmitted:
    return JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE, sql_content=SQL,
        file_name="q.sql", options=options, tenant=tenant,
    )


def _task(tenant: str | None, options: LintOptions = OPTIONS) -> LintTask:
    [task, _expanded] = iter_job_events(_inline(tenant, options), ProcessorSettings())
    assert isinstance(task, LintTask)
    return task


def test_keys_differ_by_tenant_and_the_default_keeps_its_key() -> None:
    default = cache_key(SQL, OPTIONS, "4.5.0")
    assert cache_key(SQL, OPTIONS, "4.5.0", DEFAULT_TENANT) == default
    a, b = (cache_key(SQL, OPTIONS, "4.5.0", t) for t in ("team-a", "team-b"))
    assert len({default, a, b}) == 3
    # The tenant cannot be smuggled in through the options' text: the headers differ in shape.
    assert cache_key(SQL, LintOptions(config="team-a"), "4.5.0") != a


def test_tasks_carry_the_jobs_tenant(tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path, inline_max_bytes=16)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("small.sql", "select 1\n")
        zf.writestr("large.sql", SQL * 4)  # over inline_max_bytes: travels by path
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip"
    (tmp_path / relpath).parent.mkdir(parents=True)
    (tmp_path / relpath).write_bytes(buffer.getvalue())
    zipped = JobSubmitted(job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE,
                          storage_path=relpath, tenant="team-a")
    tasks = [e for e in iter_job_events(zipped, settings) if isinstance(e, LintTask)]
    assert [(t.tenant, t.sql_content is None) for t in tasks] == [("team-a", False), ("team-a", True)]
    assert _task("team-b").tenant == "team-b"
    assert _task(None).tenant is None


def test_expansion_answers_only_the_same_tenant_from_the_cache() -> None:
    cache = LintCache(10)
    seen = _task("team-a")
    cache.remember(cache.key_for(SQL, OPTIONS, seen.tenant), ())
    settings = ProcessorSettings()
    first_a = next(iter_job_events(_inline("team-a"), settings, cache))
    first_b = next(iter_job_events(_inline("team-b"), settings, cache))
    first_default = next(iter_job_events(_inline(None), settings, cache))
    assert isinstance(first_b, LintTask)  # no result, no `cached` mark: B learns nothing of A's file
    assert isinstance(first_default, LintTask)
    # A's own resubmission is a hit (its task.registered comes first, then the cached result).
    assert not isinstance(first_a, LintTask)
    results = [e for e in iter_job_events(_inline("team-a"), settings, cache) if isinstance(e, LintResult)]
    assert [r.cached for r in results] == [True]


async def test_lint_step_hits_within_a_tenant_only(tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path)
    cache = LintCache(10)
    pool = LintPool(workers=1, timeout_seconds=60, memory_mb=1536, max_tasks=0)
    try:
        a = await lint_task(_task("team-a"), settings, pool, cache)
        b = await lint_task(_task("team-b"), settings, pool, cache)
        again = await lint_task(_task("team-a"), settings, pool, cache)
        fixing = _task("team-b", OPTIONS.model_copy(update={"fix": True}))
        fixed = await lint_task(fixing, settings, pool, cache)
    finally:
        pool.close()
    assert a.result.status is b.result.status is TaskStatus.SUCCESS
    assert (a.result.cached, b.result.cached, again.result.cached) == (False, False, True)
    assert a.new_entry is not None and b.new_entry is not None
    assert a.new_entry.key != b.new_entry.key  # B linted for itself and is remembered apart
    assert b.result.violations == a.result.violations == again.result.violations
    # The fixing path bypasses the cache for every tenant, and still fixes.
    assert (fixed.new_entry, fixed.result.cached) == (None, False)
    assert fixed.result.fix is not None and fixed.result.fix.fixed
