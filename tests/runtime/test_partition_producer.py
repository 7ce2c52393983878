"""Deadlines around the transaction coordinator: stuck work is left behind, not waited for."""

import asyncio
import time

import pytest

from runtime.faust.partition_producer import StuckError, bounded


async def _stubborn(finished: list[str]) -> None:
    """Like a transaction cancelled while its coordinator is unreachable: it awaits its abort anyway."""
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        await asyncio.sleep(5)
        finished.append("abandoned")
        raise


async def test_stuck_work_raises_at_its_deadline_without_waiting_for_it_to_give_up() -> None:
    finished: list[str] = []
    started = time.monotonic()
    with pytest.raises(StuckError):
        await bounded(_stubborn(finished), 0.1)
    assert time.monotonic() - started < 3  # asyncio.wait_for would have waited 5 s more
    assert finished == []  # still giving up, on its own


async def test_work_within_its_deadline_returns_or_raises_its_own_error() -> None:
    await bounded(asyncio.sleep(0), 1)
    with pytest.raises(ZeroDivisionError):
        await bounded(asyncio.to_thread(lambda: 1 / 0), 1)
