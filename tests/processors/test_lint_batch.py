"""Small files in batches: the outcomes they get alone, and a lost batch costs no batch-mate its result.

Real lint processes throughout (pebble, SQLFluff); the hostile file is SQL that
takes seconds of parser time, run under a per-file limit far below that.
"""

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import psutil
import pytest

from processors.lint_pool import LintOutcome, LintPool
from schemas.events import LintOptions
from schemas.statuses import TaskStatus

pytestmark = pytest.mark.timeout(180)
FIXTURES = sorted((Path(__file__).parents[1] / "data" / "sql" / "ansi").glob("*.sql"))
# Seconds of SQLFluff parser time: far past the test's per-file limit, within the parser's own limits.
SLOW_SQL = "select a,b  from t join u on t.id=u.id where x = 1 and y=2;\n" * 1300
SMALL = "select a,b  from t\n"
LIMIT = 2.0


@pytest.fixture
async def pool() -> AsyncIterator[LintPool]:
    lint_pool = LintPool(workers=1, timeout_seconds=60, memory_mb=1536, max_tasks=0, batch_files=4,
                         batch_bytes=1024 * 1024)
    try:
        await lint_pool.warm_up()  # builds the linter under a generous limit
        yield lint_pool
    finally:
        lint_pool.close()


async def _until_running(pool: LintPool, task_id: UUID) -> None:
    """Polls the pool's own view of its processes: no event says when a process took a task."""
    for _ in range(600):
        if any(p.task_id == task_id for p in pool.processes()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no lint process took {task_id}")


def _found(outcome: LintOutcome) -> list[tuple[str, int, int]]:
    return sorted((v.code, v.start_line_no, v.start_line_pos) for v in outcome.violations)


async def _occupied(pool: LintPool) -> list[asyncio.Task[LintOutcome]]:
    """Two files in flight (the one process's and the one waiting in the pipe): what comes next is batched."""
    busy = [asyncio.create_task(pool.lint(f"busy{i}.sql", SMALL * 200, LintOptions())) for i in range(2)]
    await asyncio.sleep(0)
    return busy


async def test_batched_files_get_what_each_gets_alone(pool: LintPool) -> None:
    alone = [await pool.lint(p.name, p.read_text(), LintOptions()) for p in FIXTURES]
    busy = await _occupied(pool)
    batched = await asyncio.gather(*(pool.lint(p.name, p.read_text(), LintOptions()) for p in FIXTURES))
    await asyncio.gather(*busy)
    assert [o.status for o in batched] == [o.status for o in alone]
    assert [_found(o) for o in batched] == [_found(o) for o in alone]
    assert any(o.violations for o in batched)
    assert max(pool.batcher.sizes) == 4  # the files did travel in batches of batch_files
    assert all(o.duration_ms > 0 and o.pid for o in batched)  # each measured alone, in its process


async def test_a_file_past_its_limit_fails_alone_and_its_batch_mates_succeed(pool: LintPool) -> None:
    pool.timeout_seconds = LIMIT
    busy = await _occupied(pool)
    names = ("before.sql", "slow.sql", "after.sql")
    outcomes = await asyncio.gather(*(pool.lint(n, SLOW_SQL if n == "slow.sql" else SMALL, LintOptions())
                                      for n in names))
    await asyncio.gather(*busy)
    before, slow, after = outcomes
    assert pool.batcher.sizes[3] == 1 and pool.batcher.lost == 1  # one batch of the three, lost on time
    assert slow.status is TaskStatus.FAILURE and slow.error is not None
    assert slow.error.code == "LINT_TIMEOUT"
    for small in (before, after):
        assert small.status is TaskStatus.SUCCESS, small.error
        assert _found(small) == _found(await pool.lint("again.sql", SMALL, LintOptions()))


async def test_a_killed_batch_is_linted_again_file_by_file(pool: LintPool) -> None:
    busy = await _occupied(pool)
    await asyncio.gather(*busy)
    first = uuid4()
    files = [("a.sql", SMALL, first), ("slow.sql", SLOW_SQL, uuid4()), ("b.sql", SMALL, uuid4())]
    busy = await _occupied(pool)
    linting = asyncio.gather(*(pool.lint(n, sql, LintOptions(), t) for n, sql, t in files))
    await asyncio.gather(*busy)
    await _until_running(pool, first)
    await asyncio.sleep(0.5)  # inside the slow file
    [running] = [p for p in pool.processes() if p.task_id == first]
    psutil.Process(running.pid).send_signal(signal.SIGKILL)
    outcomes = await linting
    assert pool.batcher.lost == 1
    assert [o.status for o in outcomes] == [TaskStatus.SUCCESS] * 3, [o.error for o in outcomes]
    assert all(o.pid != running.pid for o in outcomes)
