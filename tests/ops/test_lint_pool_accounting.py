"""The lint pool's account of its processes, and the measurements children hand their parent.

A real spawn pool: the process that lints a file is seen busy with that
task while it works, idle after; a recycled or killed process leaves the
account, and what it measured was already recorded by the parent.
"""

import asyncio
import os
import signal
from collections.abc import Callable
from uuid import uuid4

import pytest

from processors.lint_pool import LintOutcome, LintPool
from schemas.events import LintOptions
from schemas.statuses import TaskStatus

pytestmark = pytest.mark.timeout(180)
# Enough statements to keep a lint process busy for a moment on a loaded machine.
SLOW_SQL = "select a, b from t join u on t.id = u.id where x = 1 and y = 2;\n" * 400


async def _until(condition: Callable[[], bool], what: str, polls: int = 6000) -> None:
    """Poll the pool's account (pebble's threads update it) until ``condition`` holds."""
    for _ in range(polls):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(what)


async def test_processes_are_busy_with_their_task_then_idle_and_measurements_reach_the_parent() -> None:
    measured: list[tuple[str, LintOutcome]] = []
    pool = LintPool(workers=1, timeout_seconds=120, memory_mb=0, max_tasks=0,
                    measured=lambda dialect, outcome: measured.append((dialect, outcome)))
    try:
        await pool.warm_up()
        assert measured == []  # the warm-up's probes are nobody's files
        ((idle,),) = [pool.processes()]
        assert (idle.state, idle.task_id, idle.files_done) == ("idle", None, 0)
        task_id = uuid4()
        linting = asyncio.create_task(pool.lint("slow.sql", SLOW_SQL, LintOptions(dialect="ansi"), task_id))
        await _until(lambda: linting.done() or any(p.state == "busy" for p in pool.processes()), "busy")
        assert not linting.done(), "the lint ended before it was seen running"
        (busy,) = pool.processes()
        assert (busy.pid, busy.task_id) == (idle.pid, task_id)
        outcome = await linting
        ((dialect, seen),) = measured
        assert (dialect, seen) == ("ansi", outcome)
        assert (outcome.status, outcome.pid) == (TaskStatus.SUCCESS, idle.pid)
        assert outcome.linted_bytes == len(SLOW_SQL)
        assert outcome.duration_ms > 0
        (after,) = pool.processes()
        assert (after.state, after.task_id, after.files_done) == ("idle", None, 1)
    finally:
        pool.close()


async def test_a_killed_process_leaves_the_account_and_its_file_is_still_measured() -> None:
    measured: list[LintOutcome] = []
    pool = LintPool(workers=1, timeout_seconds=120, memory_mb=0, max_tasks=0,
                    measured=lambda _dialect, outcome: measured.append(outcome))
    try:
        await pool.warm_up()
        (first,) = pool.processes()
        linting = asyncio.create_task(pool.lint("slow.sql", SLOW_SQL, LintOptions(), uuid4()))
        await _until(lambda: any(p.state == "busy" for p in pool.processes()), "busy")
        os.kill(first.pid, signal.SIGKILL)
        outcome = await linting
        assert outcome.status is TaskStatus.FAILURE and outcome.pid == 0
        assert measured == [outcome]  # the parent measured the lost attempt itself
        # pebble replaces the lost process
        await _until(lambda: [p.pid for p in pool.processes()] not in ([], [first.pid]), "a new process")
        (second,) = pool.processes()
        assert (second.state, second.files_done) == ("idle", 0)
    finally:
        pool.close()
