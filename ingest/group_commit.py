"""Group commit: what arrives while one batch is written goes together in the next one.

Each accepted job used to cost the ingest two transactions of its own (the
day's bytes, then the first row), each a thread hop, a pool checkout with its
ping, SQLAlchemy building a statement, and a commit with an fsync: under load
most of the process's time (docs/performance.md). Written in batches, one
transaction serves every request that arrived meanwhile.

No wait is added: a batch starts as soon as none is being written, so a lone
request costs what it did; while a batch is written, arrivals queue and the
next batch takes them all (at most ``max_batch``), so the batches grow with
the load by themselves. One batch at a time, in order of arrival: a later
request never overtakes an earlier one (the day's bytes are judged in the
order the requests came).

Each caller awaits its own item: the writer answers every item with a result
or an exception of its own, and a writer that raises answers every item of
the batch with that error (they shared its transaction). A caller cancelled
while queued leaves the queue and is never written; one cancelled while its
batch is being written stops only its own wait: the transaction runs in a
thread and cannot be interrupted, and the other callers still get their
answers.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Writer = Callable[[list[T]], Awaitable[Sequence[R | Exception]]]


class GroupCommit(Generic[T, R]):
    """Hands queued items to ``write`` in batches, one batch at a time, and each answer to its caller."""

    def __init__(self, write: Writer[T, R], max_batch: int = 500) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write = write
        self._max_batch = max_batch
        self._queue: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._writing: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """``item`` written with whatever else is queued; its own answer, or its own error."""
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, answer))
        if self._writing is None:
            self._writing = asyncio.create_task(self._drain())
        return await answer

    async def close(self) -> None:
        """Wait until everything queued is written (at shutdown, before the engine goes)."""
        if self._writing is not None:
            await asyncio.shield(self._writing)

    async def _drain(self) -> None:
        """Write batches until the queue is empty; then the next ``submit`` starts a new drain."""
        try:
            while batch := self._next_batch():
                await self._write_one(batch)
        finally:
            self._writing = None
            while self._queue:  # only when the drain itself was cancelled: nobody will write these
                self._queue.popleft()[1].cancel()

    def _next_batch(self) -> list[tuple[T, asyncio.Future[R]]]:
        """Up to ``max_batch`` queued items in order of arrival, without those whose caller left."""
        batch: list[tuple[T, asyncio.Future[R]]] = []
        while self._queue and len(batch) < self._max_batch:
            item, answer = self._queue.popleft()
            if not answer.done():  # done while queued: cancelled
                batch.append((item, answer))
        return batch

    async def _write_one(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"the writer answered {len(results)} of {len(batch)} items")
        except Exception as exc:  # the batch shared one transaction: each of its callers gets its error
            for _, answer in batch:
                _settle(answer, exc)
            return
        except BaseException:  # the drain was cancelled (shutdown): its callers are, too
            for _, answer in batch:
                answer.cancel()
            raise
        for (_, answer), result in zip(batch, results, strict=True):
            _settle(answer, result)


def _settle(answer: "asyncio.Future[R]", result: "R | Exception") -> None:
    """Set one caller's answer, unless it stopped waiting (cancelled)."""
    if answer.done():
        return
    if isinstance(result, Exception):
        answer.set_exception(result)
    else:
        answer.set_result(result)
