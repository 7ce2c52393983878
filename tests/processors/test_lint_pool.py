import os
import signal
import time
from collections.abc import AsyncIterator

import pytest
import sqlfluff

from processors.lint_pool import LintOutcome, LintPool, LintTimeoutError, WorkerExpiredError
from schemas.events import LintOptions
from schemas.statuses import TaskStatus

SQL = "select a,b  from t join u on t.id=u.id\nwhere x = 1 and y=2\n"


@pytest.fixture
async def pool() -> AsyncIterator[LintPool]:
    lint_pool = LintPool(workers=2, timeout_seconds=60, memory_mb=1536, max_tasks=50)
    try:
        await lint_pool.warm_up()
        yield lint_pool
    finally:
        lint_pool.close()


def _positions(outcome: LintOutcome) -> list[tuple[str, int, int]]:
    return sorted((v.code, v.start_line_no, v.start_line_pos) for v in outcome.violations if v.code != "LT07")


async def test_result_equals_sqlfluff(pool: LintPool) -> None:
    outcome = await pool.lint("a.sql", SQL, LintOptions(dialect="mysql"))
    theirs = sqlfluff.lint(SQL, dialect="mysql")
    assert outcome.status is TaskStatus.SUCCESS
    assert outcome.error is None
    assert outcome.violations
    assert _positions(outcome) == sorted(
        (v["code"], v["start_line_no"], v["start_line_pos"]) for v in theirs if v["code"] != "LT07"
    )
    assert os.environ["PYTHONHASHSEED"] == "0"


async def test_hanging_file_times_out_and_the_next_file_still_lints(pool: LintPool) -> None:
    with pytest.raises(LintTimeoutError) as info:
        await pool.submit(time.sleep, 60, limit_seconds=0.5)
    assert info.value.code == "LINT_TIMEOUT"
    outcome = await pool.lint("b.sql", SQL, LintOptions())
    assert outcome.status is TaskStatus.SUCCESS
    assert _positions(outcome) == _positions(await pool.lint("c.sql", SQL, LintOptions()))


async def test_crashed_worker_is_reported_and_replaced(pool: LintPool) -> None:
    with pytest.raises(WorkerExpiredError) as info:
        await pool.submit(signal.raise_signal, signal.SIGSEGV)
    assert info.value.code == "LINT_CRASHED"
    assert (await pool.lint("d.sql", SQL, LintOptions())).status is TaskStatus.SUCCESS


async def test_abort_under_the_memory_limit_is_reported_as_memory(pool: LintPool) -> None:
    # Native code (the Rust parser) aborts when an allocation fails at RLIMIT_AS.
    with pytest.raises(WorkerExpiredError) as info:
        await pool.submit(os.abort)
    assert info.value.code == "LINT_MEMORY"


async def test_abort_without_a_memory_limit_is_a_crash() -> None:
    unlimited = LintPool(workers=1, timeout_seconds=60, memory_mb=0, max_tasks=50)
    try:
        with pytest.raises(WorkerExpiredError) as info:
            await unlimited.submit(os.abort)
    finally:
        unlimited.close()
    assert info.value.code == "LINT_CRASHED"


async def test_invalid_options_come_back_as_failure(pool: LintPool) -> None:
    outcome = await pool.lint("e.sql", SQL, LintOptions(dialect="no_such_dialect"))
    assert outcome.status is TaskStatus.FAILURE
    assert outcome.error is not None
    assert outcome.error.code == "INVALID_CONFIG"


async def test_killed_worker_is_reported_as_memory(pool: LintPool) -> None:
    # SIGKILL is how the kernel's OOM killer ends a process.
    with pytest.raises(WorkerExpiredError) as info:
        await pool.submit(signal.raise_signal, signal.SIGKILL)
    assert info.value.code == "LINT_MEMORY"
