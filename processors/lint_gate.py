"""The priority gate in front of the lint pool: small jobs' files take the next free lint process.

The pool runs one file per process and queues the rest first come, first
served. Left to that queue, a file of a one-line job would wait behind every
file the big jobs' actors had already handed to the pool. The gate holds one
slot per lint process: a file is handed to the pool only with a slot, so the
pool's own queue never grows, and a freed slot goes to the longest-waiting
express file before any bulk file. An express file therefore waits for at
most the shortest remaining lint among the files running now.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LintGate:
    """``slots`` lints at once; waiting express callers are let in before waiting bulk ones."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self._free = slots
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {True: deque(), False: deque()}

    @property
    def waiting(self) -> dict[str, int]:
        """Callers waiting for a slot, by lane (for the metrics and the tests)."""
        return {"express": len(self._waiting[True]), "bulk": len(self._waiting[False])}

    @asynccontextmanager
    async def slot(self, express: bool) -> AsyncIterator[None]:
        """Hold one slot for the body (one lint attempt)."""
        await self._acquire(express)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, express: bool) -> None:
        if self._free > 0 and not any(self._waiting.values()):
            self._free -= 1
            return
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting[express]
        queue.append(ticket)
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                self._release()  # the slot was handed over as we were cancelled: pass it on
            else:
                queue.remove(ticket)
            raise

    def _release(self) -> None:
        """Hand the slot to the next waiter, express first; free it when nobody waits."""
        for lane in (True, False):
            queue = self._waiting[lane]
            while queue:
                ticket = queue.popleft()
                if not ticket.done():
                    ticket.set_result(None)
                    return
        self._free += 1
