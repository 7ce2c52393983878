"""The priority gate in front of the lint pool: small jobs' files take the next free lint process.

Left to the pool, a file of a one-line job would wait behind every file the
big jobs' actors had already handed to it. The gate holds as many slots as
the pool's batches hold files (``ProcessorSettings.lint_slots``): a file is
handed to the pool only with a slot, so the pool holds no more than its
running batches and the next one per process, and a freed slot goes to the
longest-waiting express file before any bulk file. The pool then puts an
express file at the head of its next batch (:mod:`processors.lint_batch`), so
it waits for at most the batches running now and the one waiting in the
pool's pipe.
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
