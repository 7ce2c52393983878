"""What a service's agents need, opened before Faust consumes and closed after it stops.

The app adds a service's resources as its FIRST dependency: mode starts
children in order and stops them in reverse, so the topics exist before the
consumer subscribes (Faust cannot cope with missing topics on Kafka 4) and
whatever the agents use (a database engine, a lint pool) outlives every agent.
"""

import asyncio
import logging
from typing import Any, Generic, TypeVar

from mode import Service

from runtime.kafka_admin import ensure_service_topics
from runtime.settings import WorkerSettings
from schemas.errors import LintServiceError

log = logging.getLogger(__name__)
S = TypeVar("S", bound=WorkerSettings)
T = TypeVar("T")


class NotStartedError(LintServiceError):
    """A resource was used before the service started (or after it stopped): a wiring bug."""


def opened(resource: T | None, what: str) -> T:
    """``resource`` when it is open; an agent asking for it at any other time is a bug worth naming."""
    if resource is None:
        raise NotStartedError(f"{what} is not open")
    return resource


class WorkerResources(Service, Generic[S]):
    """Creates the service's topics, then opens what a subclass adds in :meth:`open`."""

    def __init__(self, settings: S, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings

    async def on_start(self) -> None:
        """Topics first (a blocking admin call, hence the thread), then the service's own resources."""
        created = await asyncio.to_thread(ensure_service_topics, self.settings)
        if created:
            log.info("created topics %s", created)
        await self.open()

    async def on_stop(self) -> None:
        """Runs after every agent stopped: nothing can be using the resources any more."""
        await self.close()

    async def open(self) -> None:
        """A service's resources beyond its topics; none by default."""

    async def close(self) -> None:
        """Release what :meth:`open` opened; nothing by default."""
