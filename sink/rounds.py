"""A background task of the sink that runs one round of work after another, beside its agents.

The callback deliveries and the retention sweep are both such loops: each round is retried
the next time when the database is away or anything else fails, so the loop never dies
silently, and a round that says there is more to do is followed at once.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
Round = Callable[[], Awaitable[bool]]


class Rounds:
    """``start``/``stop`` bracket the task; ``round()`` returns True to run again without the pause."""

    def __init__(self, name: str, round_: Round, pause_s: float) -> None:
        self.name = name
        self._round = round_
        self._pause_s = pause_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start in the background (from the sink's resources)."""
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the task; a round cut short leaves its work to the next start (each step is idempotent)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            again = False
            try:
                again = await self._round()
            except DBAPIError as exc:
                log.warning("%s: database unavailable, next round later: %s", self.name, exc)
            except Exception:
                log.exception("%s: round failed; the loop goes on", self.name)
            if not again:
                await asyncio.sleep(self._pause_s)
