"""Group commit on its own: batches, each caller's own answer, errors, cancellation, order.

The writer here is a real coroutine that records what it was handed and
waits on an event the test controls, so "while a batch is being written" is
a state the test holds, not a timing it hopes for.
"""

import asyncio

import pytest

from ingest.group_commit import GroupCommit


class Writer:
    """Doubles each item; a negative item is answered with its own error; ``fail`` fails the batch."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail: Exception | None = None

    async def __call__(self, batch: list[int]) -> list[int | Exception]:
        self.batches.append(batch)
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return [ValueError(f"bad {n}") if n < 0 else 2 * n for n in batch]


async def settled() -> None:
    """Let every ready task run until it waits again."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_lone_item_is_written_at_once_and_answered() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    assert await group.submit(21) == 42
    assert writer.batches == [[21]]


async def test_what_arrives_during_a_write_goes_together_in_the_next_batch_in_order() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer, max_batch=3)
    writer.release.clear()
    first = asyncio.create_task(group.submit(1))
    await settled()  # batch [1] is being written
    rest = [asyncio.create_task(group.submit(n)) for n in range(2, 7)]
    await settled()
    assert writer.batches == [[1]]
    writer.release.set()
    assert await asyncio.gather(first, *rest) == [2, 4, 6, 8, 10, 12]
    assert writer.batches == [[1], [2, 3, 4], [5, 6]]  # arrival order, at most max_batch each


async def test_each_caller_gets_its_own_error_and_the_others_their_results() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    results = await asyncio.gather(*(group.submit(n) for n in (1, -2, 3)), return_exceptions=True)
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], ValueError) and str(results[1]) == "bad -2"
    assert writer.batches == [[1, -2, 3]]


async def test_a_failing_batch_answers_every_caller_with_its_error_and_the_next_batch_still_runs() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    writer.fail = ConnectionError("database gone")
    results = await asyncio.gather(*(group.submit(n) for n in (1, 2)), return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError, ConnectionError]
    assert all(str(r) == "database gone" for r in results)
    writer.fail = None
    assert await group.submit(5) == 10


async def test_a_writer_answering_the_wrong_number_of_items_fails_the_batch() -> None:
    async def short(batch: list[int]) -> list[int]:
        return batch[:-1]

    group: GroupCommit[int, int] = GroupCommit(short)
    results = await asyncio.gather(group.submit(1), group.submit(2), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) and "answered 1 of 2" in str(r) for r in results)


async def test_a_caller_cancelled_while_queued_is_never_written() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    writer.release.clear()
    first = asyncio.create_task(group.submit(1))
    await settled()
    gone, kept = asyncio.create_task(group.submit(2)), asyncio.create_task(group.submit(3))
    await settled()
    gone.cancel()
    writer.release.set()
    assert (await first, await kept) == (2, 6)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert writer.batches == [[1], [3]]


async def test_a_caller_cancelled_mid_batch_leaves_the_batch_and_the_others_whole() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    writer.release.clear()
    gone, kept = asyncio.create_task(group.submit(1)), asyncio.create_task(group.submit(2))
    await settled()
    assert writer.batches == [[1, 2]]  # both are being written
    gone.cancel()
    await settled()
    assert not kept.done()
    writer.release.set()
    assert await kept == 4
    with pytest.raises(asyncio.CancelledError):
        await gone
    await group.close()
    assert writer.batches == [[1, 2]]  # written once, nothing written again


async def test_close_waits_for_what_is_queued() -> None:
    writer = Writer()
    group: GroupCommit[int, int] = GroupCommit(writer)
    writer.release.clear()
    tasks = [asyncio.create_task(group.submit(n)) for n in (1, 2)]
    await settled()
    closing = asyncio.create_task(group.close())
    await settled()
    assert not closing.done()
    writer.release.set()
    await closing
    assert all(task.done() for task in tasks)
    await group.close()  # nothing queued: returns at once


def test_a_batch_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(Writer(), max_batch=0)
