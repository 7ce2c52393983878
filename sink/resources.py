"""The sink's database engine, opened after the kit created the topics and disposed after the agents."""

import asyncio

from sqlalchemy import Engine

from runtime.db import create_db_engine
from runtime.faust.resources import WorkerResources, opened
from runtime.faust.worker_state import WorkerState
from sink.settings import SinkSettings


class SinkResources(WorkerResources[SinkSettings]):
    """One engine (one pool of connections) for every agent of this worker."""

    def __init__(self, settings: SinkSettings) -> None:
        super().__init__(settings)
        self._engine: Engine | None = None
        self.worker_state = WorkerState.for_settings("sink", settings)  # mode owns `.state`

    @property
    def engine(self) -> Engine:
        """The started engine; agents only run between start and stop."""
        return opened(self._engine, "the sink's database engine")

    async def open(self) -> None:
        """Lazy: no connection is made until the first batch."""
        self._engine = create_db_engine(self.settings.database_url)

    async def close(self) -> None:
        """Closing pooled connections may block on the network, hence the thread."""
        engine, self._engine = self._engine, None
        if engine is not None:
            await asyncio.to_thread(engine.dispose)
