"""The cache in one worker: what it keeps, what it refuses, and that hits equal fresh lints."""

import uuid
from pathlib import Path

from processors.lint_cache import LintCache, answer_from_cache, cached_result
from processors.lint_pool import LintPool
from processors.lint_step import lint_task
from processors.results import SQLFLUFF_VERSION
from processors.settings import ProcessorSettings
from schemas.codec import encode
from schemas.events import CachedLint, JobExpanded, LintOptions, LintTask, Violation
from schemas.statuses import TaskStatus

# LT07's position comes from set iteration order, i.e. from the workers' pinned hash seed.
SQL = "with cte as (\n    select a,b  from t)\nselect * from cte join u on cte.a=u.a\n"
VIOLATION = Violation(code="LT01", description="d", name="layout.spacing", start_line_no=1, start_line_pos=9)


def _task(sql: str, options: LintOptions, storage_path: str | None = None) -> LintTask:
    source = {"storage_path": storage_path} if storage_path else {"sql_content": sql}
    return LintTask(
        task_id=uuid.uuid4(),
        job_id=uuid.uuid4(),
        ordinal=0,
        file_name="q.sql",
        size_bytes=len(sql),
        options=options,
        **source,
    )


def _pool(timeout: float = 60) -> LintPool:
    return LintPool(workers=1, timeout_seconds=timeout, memory_mb=1536, max_tasks=0)


def test_entries_from_the_topic_tombstones_and_garbage() -> None:
    cache = LintCache(10)
    key = cache.key_for(SQL, LintOptions())
    cache.ingest(
        key.encode(), encode(CachedLint(key=key, violations=(VIOLATION,), sqlfluff_version=SQLFLUFF_VERSION))
    )
    entry = cache.get(key)
    assert entry is not None
    assert entry.violations == (VIOLATION,)
    cache.ingest(b"x", b"not json")
    cache.ingest(b"y", encode(JobExpanded(job_id=uuid.uuid4(), task_count=1)))
    other = "0" * 64  # written by a worker with another SQLFluff: never used here
    cache.ingest(other.encode(), encode(CachedLint(key=other, sqlfluff_version="0.0.1")))
    assert len(cache) == 1
    cache.ingest(key.encode(), None)
    assert cache.get(key) is None


def test_only_inline_tasks_with_an_entry_are_answered_at_expansion() -> None:
    cache = LintCache(10)
    options = LintOptions(dialect="mysql")
    task = _task(SQL, options)
    assert answer_from_cache(task, cache) is task
    cache.remember(cache.key_for(SQL, options), (VIOLATION,))
    result = answer_from_cache(task, cache)
    assert not isinstance(result, LintTask)
    assert (result.task_id, result.job_id, result.file_name, result.cached) == (
        task.task_id,
        task.job_id,
        "q.sql",
        True,
    )
    assert result.violations == (VIOLATION,)
    assert result.dialect == "mysql"
    assert isinstance(answer_from_cache(_task(SQL, LintOptions()), cache), LintTask)  # other options: miss


async def test_a_cached_result_equals_a_fresh_lint_in_other_processes(tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path)
    writer, reader = LintCache(10), LintCache(10)
    first = _pool()
    try:
        linted = await lint_task(_task(SQL, LintOptions()), settings, first, writer)
    finally:
        first.close()
    assert linted.result.status is TaskStatus.SUCCESS
    assert linted.new_entry is not None
    assert "LT07" in {v.code for v in linted.result.violations}
    reader.ingest(linted.new_entry.key.encode(), encode(linted.new_entry))  # as another worker reads it
    second = _pool()  # new processes: nothing shared with the first pool but the pinned seed
    try:
        fresh = await second.lint("other-name.sql", SQL, LintOptions())
        hit = await lint_task(_task(SQL, LintOptions()), settings, second, reader)
    finally:
        second.close()
    assert hit.new_entry is None
    assert hit.result.cached is True
    assert hit.result.violations == fresh.violations == linted.result.violations  # order and LT07 too
    entry = reader.get(linted.new_entry.key)
    assert entry is not None
    assert cached_result(uuid.uuid4(), uuid.uuid4(), "a", LintOptions(), entry).violations == fresh.violations


async def test_failures_are_never_remembered(tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path)
    cache = LintCache(10)
    pool = _pool(timeout=0.001)  # every lint is over this limit: LINT_TIMEOUT
    try:
        timed_out = await lint_task(_task(SQL, LintOptions()), settings, pool, cache)
        pool.timeout_seconds = 60
        rejected = await lint_task(_task(SQL, LintOptions(dialect="no_such_dialect")), settings, pool, cache)
        missing = await lint_task(
            _task(SQL, LintOptions(), storage_path="jobs/x/gone.sql"), settings, pool, cache
        )
    finally:
        pool.close()
    codes = [
        linted.result.error.code if linted.result.error else "" for linted in (timed_out, rejected, missing)
    ]
    assert codes == ["LINT_TIMEOUT", "INVALID_CONFIG", "FILE_NOT_FOUND"]
    assert [timed_out.new_entry, rejected.new_entry, missing.new_entry] == [None, None, None]
    assert len(cache) == 0
