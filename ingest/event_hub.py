"""Per-job fan-out of live pipeline events to the streams connected to this process.

Everything here runs on the event loop (the feed's thread hands events over
with ``call_soon_threadsafe``), so no lock is needed. Each stream has its own
bounded queue: a client that reads too slowly fills only its own queue and
is then dropped (with a reason it can read), never slowing the others or
growing memory; it reconnects with ``Last-Event-ID`` and misses nothing. The
set of watched job ids is republished as a frozenset on every change, so the
feed's thread can skip decoding the events of jobs nobody watches.
"""

import asyncio
from collections import defaultdict

from schemas.events import Record

DROPPED = "dropped: this client fell behind; reconnect with Last-Event-ID to resume"
SHUTTING_DOWN = "closed: the service is shutting down; reconnect with Last-Event-ID to resume"


class Subscription:
    """One stream's bounded queue of live events, with a sentinel (None) once closed."""

    def __init__(self, job_id: str, size: int) -> None:
        self.job_id = job_id
        self.closed_reason: str | None = None
        self._queue: asyncio.Queue[Record | None] = asyncio.Queue(size)

    def offer(self, event: Record) -> bool:
        """Queue ``event``; False when the queue is full."""
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    def close(self, reason: str) -> None:
        """Discard what is queued and wake the reader with ``reason``."""
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def next_batch(self, wait_s: float) -> list[Record]:
        """Every queued live event, waiting up to ``wait_s`` seconds for the first (none: [])."""
        try:
            async with asyncio.timeout(wait_s):
                first = await self._queue.get()
        except TimeoutError:
            return []
        batch = [first]
        while not self._queue.empty():
            batch.append(self._queue.get_nowait())
        if None in batch:
            raise StreamClosedError(self.closed_reason or SHUTTING_DOWN)
        return [event for event in batch if event is not None]


class StreamClosedError(Exception):
    """The hub closed this subscription; the message says why (sent to the client as a comment)."""


class EventHub:
    """Job id → its subscriptions."""

    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._subs: defaultdict[str, set[Subscription]] = defaultdict(set)
        self.watched: frozenset[str] = frozenset()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind the loop that :meth:`publish_threadsafe` hands events to (at app start)."""
        self._loop = loop
        self._closed = False

    def publish_threadsafe(self, job_id: str, event: Record) -> None:
        """:meth:`publish` from another thread (the feed's); dropped when the hub is not open."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.publish, job_id, event)

    def subscribe(self, job_id: str) -> Subscription:
        """A new subscription to ``job_id``'s events (closed at once when the hub is closing)."""
        sub = Subscription(job_id, self._queue_size)
        if self._closed:
            sub.close(SHUTTING_DOWN)
            return sub
        self._subs[job_id].add(sub)
        self.watched = frozenset(self._subs)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Forget ``sub`` (idempotent)."""
        subs = self._subs.get(sub.job_id)
        if subs is None:
            return
        subs.discard(sub)
        if not subs:
            del self._subs[sub.job_id]
            self.watched = frozenset(self._subs)

    def publish(self, job_id: str, event: Record) -> None:
        """Hand ``event`` to every stream of its job; a full queue drops its stream."""
        for sub in tuple(self._subs.get(job_id, ())):
            if not sub.offer(event):
                sub.close(DROPPED)
                self.unsubscribe(sub)

    def close(self) -> None:
        """Close every stream (app shutdown); later subscriptions are closed at once."""
        self._closed = True
        for subs in tuple(self._subs.values()):
            for sub in tuple(subs):
                sub.close(SHUTTING_DOWN)
        self._subs.clear()
        self.watched = frozenset()
