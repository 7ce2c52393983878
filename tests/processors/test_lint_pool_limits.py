"""The pool's guards against pathological input, with real worker processes."""

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from processors.lint_pool import LintMemoryError, LintPool, LintTimeoutError
from schemas.events import LintOptions
from schemas.statuses import TaskStatus
from tests.processors import worker_probes

SQL = "select a,b  from t\n"
MEMORY_MB = 1536
TIMEOUT = 1.0


REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _probes_importable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # pytest imports tests without touching sys.path; spawned workers inherit the parent's sys.path.
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    yield


@pytest.fixture
async def pool() -> AsyncIterator[LintPool]:
    lint_pool = LintPool(workers=1, timeout_seconds=TIMEOUT, memory_mb=MEMORY_MB, max_tasks=0)
    try:
        yield lint_pool
    finally:
        lint_pool.close()


async def test_allocating_past_the_memory_limit_is_lint_memory(pool: LintPool) -> None:
    with pytest.raises(LintMemoryError) as info:
        await pool.submit(worker_probes.allocate, 2 * MEMORY_MB, limit_seconds=30)
    assert info.value.code == "LINT_MEMORY"
    # Below the limit the same function succeeds: it is the limit that stopped it.
    assert await pool.submit(worker_probes.allocate, 64, limit_seconds=30) == 64 * worker_probes.MIB
    pool.timeout_seconds = 60  # the first lint also builds the linter
    outcome = await pool.lint("next.sql", SQL, LintOptions())
    assert outcome.status is TaskStatus.SUCCESS
    assert outcome.violations


async def test_a_hang_ends_as_lint_timeout_within_about_a_second_of_the_limit(pool: LintPool) -> None:
    started = time.monotonic()
    with pytest.raises(LintTimeoutError) as info:
        await pool.submit(time.sleep, 120)
    elapsed = time.monotonic() - started
    assert info.value.code == "LINT_TIMEOUT"
    assert TIMEOUT <= elapsed < TIMEOUT + 1.5


async def test_workers_are_recycled_after_max_tasks() -> None:
    small = LintPool(workers=1, timeout_seconds=30, memory_mb=0, max_tasks=2)
    try:
        pids = [await small.submit(worker_probes.pid) for _ in range(5)]
    finally:
        small.close()
    assert pids[0] == pids[1] != pids[2]
    assert pids[2] == pids[3] != pids[4]
    assert os.getpid() not in pids


async def test_the_hash_seed_pin_reaches_the_spawned_workers(pool: LintPool) -> None:
    randomised, worker_hash = await pool.submit(worker_probes.hash_state)
    probe = "import sys; print(hash('sqllint LT07'))"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    pinned = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", probe], env=env, capture_output=True, check=True
    )
    assert randomised == 0
    assert worker_hash == int(pinned.stdout)
