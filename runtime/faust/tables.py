"""Faust's table manager for workers that keep no tables: it starts without the one-second nap.

Faust's ``TableManager.on_start`` sleeps a second so that tables declared while
agents start are registered before recovery begins. Our workers declare none
(stateless, memory store), so that second was spent on every start, on the
path of a restarted worker's first file.
"""

from faust.tables import TableManager


class StatelessTableManager(TableManager):
    """Starts recovery at once; declaring a table after that is refused by Faust itself."""

    async def on_start(self) -> None:
        """``TableManager.on_start`` without ``sleep(1.0)``."""
        if not self.should_stop:
            await self._update_channels()
            await self.recovery.start()
