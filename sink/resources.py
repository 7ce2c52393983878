"""The sink's database engine, callback delivery loop and retention loop, opened after the topics exist.

All are closed after the agents stopped: the loops first, as they use the engine.
"""

import asyncio

from sqlalchemy import Engine

from runtime.db import create_db_engine
from runtime.faust.resources import WorkerResources, opened
from runtime.faust.worker_state import WorkerState
from sink.retention_loop import RetentionLoop
from sink.settings import SinkSettings
from sink.webhooks import DeliveryLoop


class SinkResources(WorkerResources[SinkSettings]):
    """One engine (one pool of connections) for every agent of this worker."""

    def __init__(self, settings: SinkSettings) -> None:
        super().__init__(settings)
        self._engine: Engine | None = None
        self.deliveries = DeliveryLoop(settings, lambda: self.engine)
        self.retention = RetentionLoop(settings, lambda: self.engine)
        self.worker_state = WorkerState.for_settings("sink", settings)  # mode owns `.state`

    @property
    def engine(self) -> Engine:
        """The started engine; agents only run between start and stop."""
        return opened(self._engine, "the sink's database engine")

    async def open(self) -> None:
        """The engine connects on first use (the delivery loop's first poll, or the first batch)."""
        self._engine = create_db_engine(self.settings.database_url)
        self.deliveries.start()
        self.retention.start()

    async def close(self) -> None:
        """Closing pooled connections may block on the network, hence the thread."""
        await self.deliveries.stop()
        await self.retention.stop()
        engine, self._engine = self._engine, None
        if engine is not None:
            await asyncio.to_thread(engine.dispose)
