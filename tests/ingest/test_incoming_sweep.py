"""A crashed request's staged upload is deleted once old; a live one's, younger, stays; the loop never waits.

Real files on a real folder with their mtimes set, and the sweep running in a
real app (no broker is needed: the producer connects only when publishing).
"""

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from ingest.app import create_app
from ingest.incoming_sweep import Swept, sweep_incoming, sweeping
from ingest.settings import IngestSettings

HOUR = 3600.0


def staged(root: Path, name: str, age_s: float, size: int = 10) -> Path:
    """A staged file last written ``age_s`` seconds ago."""
    path = root / "incoming" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def test_only_files_older_than_the_cutoff_go(tmp_path: Path) -> None:
    old, older = staged(tmp_path, "a" * 32, 2 * HOUR, 100), staged(tmp_path, "b" * 32, 30 * HOUR, 7)
    young = staged(tmp_path, "c" * 32, 60)
    folder = tmp_path / "incoming" / "someones-folder"
    folder.mkdir()
    os.utime(folder, (0, 0))
    target = tmp_path / "kept.txt"
    target.write_text("not staged")
    os.symlink(target, tmp_path / "incoming" / "link")
    os.utime(tmp_path / "incoming" / "link", (0, 0), follow_symlinks=False)

    assert sweep_incoming(tmp_path, time.time() - HOUR) == Swept(files=3, bytes=107 + len(str(target)))
    assert not old.exists() and not older.exists()
    assert young.exists() and folder.is_dir() and target.read_text() == "not staged"
    assert sweep_incoming(tmp_path, time.time() - HOUR) == Swept()  # nothing left to do


def test_no_incoming_folder_is_no_work(tmp_path: Path) -> None:
    assert sweep_incoming(tmp_path, time.time()) == Swept()


@pytest.fixture
def short_max_age(db_url: str, storage_root: Path) -> IngestSettings:
    """An ingest whose staged files are stale after 2 s, swept every 0.5 s."""
    return IngestSettings(
        kafka_bootstrap_servers="127.0.0.1:1",
        database_url=db_url,
        nfs_share_root_path=storage_root,
        incoming_max_age_s=2.0,
        auth_required=False,
    )


async def _until_gone(path: Path, within_s: float) -> None:
    for _ in range(int(within_s / 0.05)):
        if not await asyncio.to_thread(path.exists):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path.name} still there after {within_s} s")


async def test_the_running_ingest_sweeps_at_start_and_then_periodically(
    short_max_age: IngestSettings, caplog: pytest.LogCaptureFixture
) -> None:
    root = short_max_age.nfs_share_root_path
    leftover = staged(root, "crashed", HOUR, 42)  # a crash before this start left it
    caplog.set_level(logging.INFO, logger="ingest.incoming_sweep")
    async with TestClient(TestServer(create_app(short_max_age))) as client:
        await _until_gone(leftover, 1.0)  # the round at start
        live = staged(root, "live", 0)  # a request's file being written now
        later = staged(root, "later", 5)  # a leftover appearing while it runs
        await _until_gone(later, 2.0)  # the next round, 0.5 s later
        for _ in range(10):  # a live upload keeps its file young: it survives every round
            await asyncio.sleep(0.3)
            await asyncio.to_thread(live.write_bytes, b"more")
        metrics = await (await client.get("/metrics")).text()
    assert live.exists()
    assert "sqllint_incoming_swept_files_total 2.0" in metrics
    lines = [r.getMessage() for r in caplog.records if r.name == "ingest.incoming_sweep"]
    assert any("deleted 1 stale staged upload(s), 42 bytes" in line for line in lines), lines


def _any_left(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is not None


def _stale_files(root: Path, count: int) -> Path:
    folder = root / "incoming"
    folder.mkdir(parents=True)
    when = time.time() - HOUR
    for i in range(count):
        path = folder / f"{i:032x}"
        path.touch()
        os.utime(path, (when, when))
    return folder


async def _longest_wait(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """How long ``work`` took, and the longest the loop could not run a 5 ms ticker meanwhile."""
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await work()
    took = time.monotonic() - started
    await asyncio.sleep(0.02)
    ticker.cancel()
    await asyncio.gather(ticker, return_exceptions=True)
    return took, max(b - a for a, b in itertools.pairwise(ticks))


async def test_a_long_sweep_never_blocks_the_loop(tmp_path: Path) -> None:
    """50,000 stale files: the loop's ticks stay close together while the thread deletes them."""
    folder = _stale_files(tmp_path / "threaded", 50_000)

    async def swept() -> None:
        async with sweeping(folder.parent, HOUR, CollectorRegistry()):
            for _ in range(3000):
                if not await asyncio.to_thread(_any_left, folder):
                    return
                await asyncio.sleep(0.02)
        raise AssertionError("the sweep did not finish within a minute")

    took, longest = await _longest_wait(swept)
    assert took > 0.3, f"the sweep took {took:.3f} s: too short to say anything about the loop"
    assert longest < took / 4, f"the loop waited {longest:.3f} s during a {took:.3f} s sweep"

    blocking = _stale_files(tmp_path / "on-the-loop", 10_000)  # the measure catches a sweep on the loop

    async def on_the_loop() -> None:
        sweep_incoming(blocking.parent, time.time())

    took, longest = await _longest_wait(on_the_loop)
    assert longest >= took * 0.9, (took, longest)
