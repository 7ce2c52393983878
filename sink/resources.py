"""What the sink's agents need, opened before the consumer subscribes and closed after it stops.

Registered as the app's FIRST dependency, so mode starts it before the Kafka
consumer and the agents (topics exist before subscribing, which faust needs
against Kafka 4) and stops it after them (the engine outlives every batch).
"""

import asyncio
import logging
from threading import Thread
from typing import Any

from mode import Service
from prometheus_client import start_http_server
from sqlalchemy import Engine

from runtime.db import create_db_engine
from runtime.kafka_admin import ensure_service_topics
from schemas.errors import LintServiceError
from sink.metrics import REGISTRY
from sink.settings import SinkSettings

log = logging.getLogger(__name__)


class NotStartedError(LintServiceError):
    """A resource was used before the service started (or after it stopped)."""


class SinkResources(Service):
    """The database engine, the topics, and the optional metrics endpoint."""

    def __init__(self, settings: SinkSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self._engine: Engine | None = None
        self._metrics: tuple[Any, Thread] | None = None

    @property
    def engine(self) -> Engine:
        """The started engine; agents only run between start and stop."""
        if self._engine is None:
            raise NotStartedError("the sink's database engine is not open")
        return self._engine

    async def on_start(self) -> None:
        """Create missing topics, open the engine, serve metrics if asked."""
        s = self.settings
        created = await asyncio.to_thread(ensure_service_topics, s)
        if created:
            log.info("created topics %s", created)
        self._engine = create_db_engine(s.database_url)
        if s.metrics_port:
            self._metrics = start_http_server(s.metrics_port, registry=REGISTRY)

    async def on_stop(self) -> None:
        """Dispose the engine (after the agents stopped) and the metrics server."""
        if self._engine is not None:
            await asyncio.to_thread(self._engine.dispose)
            self._engine = None
        if self._metrics is not None:
            server, thread = self._metrics
            server.shutdown()
            thread.join(timeout=5)
            self._metrics = None
