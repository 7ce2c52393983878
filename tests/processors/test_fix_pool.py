"""Fixes through the real lint pool and lint step: equal to ``sqlfluff fix``, never from or into the cache."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from processors.fix_transport import FIX_INLINE_MAX_BYTES, fix_file_relpaths
from processors.fixing import unified_diff
from processors.lint_cache import LintCache
from processors.lint_pool import LintPool
from processors.lint_step import lint_task
from processors.settings import ProcessorSettings
from schemas.events import LintOptions, LintTask
from schemas.statuses import TaskStatus
from tests.processors.sqlfluff_cli import fix_with_cli

FILES = {
    "dirty.sql": "select a,b from t where x=1\n",
    "no_newline.sql": "SELECT a  FROM t",
    "clean.sql": "select a from t\n",
    "unparsable.sql": "select a,b from t;\nselec frm;\n",
    "cte.sql": "with cte as (\n    select a,b  from t)\nselect * from cte join u on cte.a=u.a\n",
}
OPTIONS = LintOptions(dialect="mysql", exclude_rules=("AM04",), fix=True)


@pytest.fixture
async def pool() -> AsyncIterator[LintPool]:
    lint_pool = LintPool(workers=2, timeout_seconds=60, memory_mb=1536, max_tasks=0)
    try:
        yield lint_pool
    finally:
        lint_pool.close()


def _task(name: str, sql: str, options: LintOptions = OPTIONS) -> LintTask:
    return LintTask(task_id=uuid.uuid4(), job_id=uuid.uuid4(), ordinal=0, file_name=name, sql_content=sql,
                    size_bytes=len(sql.encode()), options=options)


async def test_fixes_equal_sqlfluff_fix_byte_for_byte(pool: LintPool, tmp_path: Path) -> None:
    theirs = fix_with_cli(FILES, OPTIONS, tmp_path)
    for name, sql in FILES.items():
        outcome = await pool.lint(name, sql, OPTIONS)
        assert outcome.status is TaskStatus.SUCCESS, outcome.error
        assert outcome.fix is not None
        assert outcome.fix.fixed_sql == theirs[name], name
        assert outcome.fix.fixed == (theirs[name] != sql)
        assert outcome.fix.diff == (unified_diff(sql, theirs[name], name) if outcome.fix.fixed else "")
    assert theirs["unparsable.sql"] == FILES["unparsable.sql"]
    assert theirs["clean.sql"] == FILES["clean.sql"]
    assert theirs["dirty.sql"] != FILES["dirty.sql"]


async def test_fix_tasks_bypass_a_lint_only_cache_entry(pool: LintPool, tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path)
    cache = LintCache(10)
    sql = FILES["dirty.sql"]
    lint_only = await lint_task(_task("q.sql", sql, OPTIONS.model_copy(update={"fix": False})), settings,
                                pool, cache)
    assert lint_only.new_entry is not None and lint_only.result.fix is None
    assert len(cache) == 1
    linted = await lint_task(_task("q.sql", sql), settings, pool, cache)
    assert not linted.result.cached
    assert linted.new_entry is None and len(cache) == 1  # a fix is never remembered
    assert linted.result.violations == lint_only.result.violations
    assert linted.result.fix is not None and linted.result.fix.fixed
    assert linted.result.fix.fixed_sql == "select\n    a,\n    b\nfrom t\nwhere x = 1\n"


async def test_a_large_fix_goes_to_storage_within_the_pool_limits(pool: LintPool, tmp_path: Path) -> None:
    """Long comment lines make a file over the inline bound that SQLFluff still lints in seconds."""
    settings = ProcessorSettings(nfs_share_root_path=tmp_path)
    head = ("-- " + "x" * 2000 + "\n") * (FIX_INLINE_MAX_BYTES // 2000 + 10)
    sql = head + "select a,b from t where x=1\n"
    task = _task("big.sql", sql)
    linted = await lint_task(task, settings, pool)
    fix = linted.result.fix
    assert linted.result.status is TaskStatus.SUCCESS, linted.result.error
    assert fix is not None and fix.fixed and fix.fixed_sql is None and fix.diff is None
    assert (fix.fixed_sql_path, fix.diff_path) == fix_file_relpaths(task.job_id, task.task_id)
    fixed = (tmp_path / fix.fixed_sql_path).read_text()
    assert fixed == head + "select\n    a,\n    b\nfrom t\nwhere x = 1\n"
    assert (tmp_path / fix.diff_path).read_text() == unified_diff(sql, fixed, "big.sql")


async def test_a_file_over_the_parse_limits_is_reported_and_left_unfixed(pool: LintPool) -> None:
    """SQLFluff's node limit makes a huge file a PRS finding: like ``sqlfluff fix``, no fix is applied."""
    sql = "select a,b from t where x=1;\n" * 6000
    outcome = await pool.lint("huge.sql", sql, OPTIONS)
    assert outcome.status is TaskStatus.SUCCESS, outcome.error
    assert [v.code for v in outcome.violations] == ["PRS"]
    assert outcome.fix is not None and not outcome.fix.fixed and outcome.fix.fixed_sql == sql
