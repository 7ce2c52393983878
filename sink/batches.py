"""Batches that are written the moment the stream has nothing more ready, not on a fixed tick.

Faust's ``take(max, within)`` holds a partial batch until its window ends, so a lone job's
result waited up to the whole window, and no event was collected while a batch was being
written. Here a collector task moves events into a buffer all the time, and the writer takes
whatever is there as soon as the stream has nothing more ready: a lone event is written at
once, and under load the events that arrive while one transaction runs make the next one, so
batches grow with the load instead of the number of transactions. The buffer holds at most
``max_size`` events; when it is full the collector waits, so Kafka's fetching slows down
rather than memory growing. Acks stay the caller's, after its commit.

Under a steady stream, though, a write is quick and each batch small, so a corpus paid a
transaction every few events. So a batch whose first event came within ``linger_s`` of the
previous take, that is, while the sink is busy, gathers for ``linger_s``; one that follows a
quiet moment, a lone job's, is written at once. On the bench corpus that took the sink's CPU
per file from 4.95 to 3.2 ms without moving a one-line job's latency.
"""

import asyncio
import contextlib
import math
from collections.abc import AsyncIterable
from typing import Generic, TypeVar

Item = TypeVar("Item")
# The scheduler rounds a lone batch waits for a stream that has more ready: Faust's stream
# iterator yields to the loop once per event, so one quiet round means nothing more is ready.
_QUIET_ROUNDS = 1


class DrainingBatches(Generic[Item]):
    """A buffer between a stream (``collect``) and its writer (``take``), in the stream's order."""

    def __init__(self, max_size: int, window_s: float = 0.0, linger_s: float = 0.0) -> None:
        self._max = max_size
        self._window_s = window_s
        self._linger_s = linger_s
        self._taken_at = -math.inf
        self._buffer: list[Item] = []
        self._ready = asyncio.Event()  # the buffer holds something, or the stream ended
        self._full = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._first_at = 0.0
        self._ended = False

    async def collect(self, stream: AsyncIterable[Item]) -> None:
        """Run for as long as the stream does (a task beside the writer); waits while the buffer is full."""
        loop = asyncio.get_running_loop()
        try:
            async for item in stream:
                await self._room.wait()
                if not self._buffer:
                    self._first_at = loop.time()
                self._buffer.append(item)
                self._ready.set()
                if len(self._buffer) >= self._max:
                    self._full.set()
                    self._room.clear()
        finally:
            self._ended = True
            self._ready.set()

    async def take(self) -> list[Item]:
        """The next batch, in order; empty once the stream has ended (what is left is never acked)."""
        await self._ready.wait()
        await self._settle()
        if self._ended:
            return []
        batch, self._buffer = self._buffer, []
        self._taken_at = asyncio.get_running_loop().time()
        self._ready.clear()
        self._full.clear()
        self._room.set()
        return batch

    async def _settle(self) -> None:
        """Let the events the stream has ready join the batch; with a window, wait for it or a full batch."""
        if self._window_s > 0:
            await self._until_full(self._first_at + self._window_s)
            return
        if self._first_at - self._taken_at < self._linger_s:  # busy: the stream kept coming
            await self._until_full(self._first_at + self._linger_s)
            return
        quiet = 0
        while quiet < _QUIET_ROUNDS and not self._full.is_set() and not self._ended:
            seen = len(self._buffer)
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self._buffer) == seen else 0

    async def _until_full(self, deadline: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(deadline):
                await self._full.wait()
