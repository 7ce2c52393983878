"""The sink's draining batches, driven by a queue in place of Faust's stream (pure asyncio, no broker)."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from sink.batches import DrainingBatches

_END = -1


async def _stream(queue: asyncio.Queue[int]) -> AsyncIterator[int]:
    """Like Faust's stream iterator: one scheduler round per event, waits when nothing is ready."""
    while (item := await queue.get()) != _END:
        await asyncio.sleep(0)
        yield item


Started = tuple[asyncio.Queue[int], asyncio.Task[None]]


async def _started(batches: DrainingBatches[int], *ready: int) -> Started:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for item in ready:
        queue.put_nowait(item)
    return queue, asyncio.create_task(batches.collect(_stream(queue)))


async def _stop(queue: asyncio.Queue[int], task: asyncio.Task[None]) -> None:
    queue.put_nowait(_END)
    await task


async def test_a_lone_event_is_handed_out_while_the_stream_waits_for_more() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500)
    queue, task = await _started(batches, 1)
    taking = asyncio.create_task(batches.take())
    for _ in range(10):  # a few scheduler rounds, no clock: there is no tick to wait for
        await asyncio.sleep(0)
    assert taking.done() and taking.result() == [1]
    await _stop(queue, task)


async def test_events_ready_together_make_one_batch() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500)
    queue, task = await _started(batches, *range(7))
    assert await batches.take() == list(range(7))
    await _stop(queue, task)


async def test_events_keep_collecting_while_a_batch_is_written_and_make_the_next() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500)
    queue, task = await _started(batches, 1)
    first = await batches.take()
    for item in range(2, 6):  # "during the write": nobody takes
        queue.put_nowait(item)
    for _ in range(20):
        await asyncio.sleep(0)
    assert (first, await batches.take()) == ([1], [2, 3, 4, 5])
    await _stop(queue, task)


async def test_a_full_buffer_holds_the_stream_back_and_batches_keep_the_order() -> None:
    batches: DrainingBatches[int] = DrainingBatches(3)
    queue, task = await _started(batches, *range(8))
    for _ in range(20):
        await asyncio.sleep(0)
    assert queue.qsize() == 4  # three buffered, one held by the waiting collector
    assert [await batches.take() for _ in range(3)] == [[0, 1, 2], [3, 4, 5], [6, 7]]
    await _stop(queue, task)


async def test_a_window_holds_a_partial_batch_until_it_is_full() -> None:
    batches: DrainingBatches[int] = DrainingBatches(3, window_s=3600)
    queue, task = await _started(batches, 1, 2)
    taking = asyncio.create_task(batches.take())
    done, _ = await asyncio.wait([taking], timeout=0.05)
    assert not done  # the window (an hour) is far from over and the batch is not full
    queue.put_nowait(3)
    assert await taking == [1, 2, 3]
    await _stop(queue, task)


async def test_a_window_ends_a_partial_batch() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500, window_s=0.01)
    queue, task = await _started(batches, 1, 2)
    assert await batches.take() == [1, 2]
    await _stop(queue, task)


async def test_while_busy_a_batch_lingers_for_more_and_after_a_quiet_moment_it_does_not() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500, linger_s=3600)
    queue, task = await _started(batches, 1)
    assert await batches.take() == [1]  # the first batch follows no write: at once
    queue.put_nowait(2)  # arrives while "the write" of [1] runs: the sink is busy
    taking = asyncio.create_task(batches.take())
    done, _ = await asyncio.wait([taking], timeout=0.05)
    assert not done  # lingering (an hour), though the stream has nothing more ready
    taking.cancel()
    await _stop(queue, task)


async def test_a_batch_after_a_quiet_moment_is_written_at_once() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500, linger_s=0.02)
    queue, task = await _started(batches, 1)
    assert await batches.take() == [1]
    await asyncio.sleep(0.05)  # quiet for longer than the linger
    queue.put_nowait(2)
    taking = asyncio.create_task(batches.take())
    for _ in range(10):
        await asyncio.sleep(0)
    assert taking.done() and taking.result() == [2]
    await _stop(queue, task)


async def test_a_lingering_batch_goes_as_soon_as_it_is_full() -> None:
    batches: DrainingBatches[int] = DrainingBatches(2, linger_s=3600)
    queue, task = await _started(batches, 1)
    assert await batches.take() == [1]
    queue.put_nowait(2)
    queue.put_nowait(3)
    assert await asyncio.wait_for(batches.take(), 5) == [2, 3]
    await _stop(queue, task)


async def test_nothing_is_handed_out_once_the_stream_has_ended() -> None:
    batches: DrainingBatches[int] = DrainingBatches(500)
    queue, task = await _started(batches, 1)
    await _stop(queue, task)
    assert await batches.take() == []  # the stream stopped: what it left is replayed, never acked


async def test_a_failing_stream_ends_the_batches_and_raises_in_its_task() -> None:
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise RuntimeError("stream broke")

    batches: DrainingBatches[int] = DrainingBatches(500)
    task = asyncio.create_task(batches.collect(broken()))
    assert await batches.take() == []
    with pytest.raises(RuntimeError, match="stream broke"):
        await task
