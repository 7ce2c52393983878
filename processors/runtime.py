"""Resources the agents share, opened before Faust consumes and closed after it stops.

Added to the app as its first dependency: mode starts children in order and
stops them in reverse, so topics exist before the consumer subscribes (Faust
cannot cope with missing topics on Kafka 4) and the pool outlives the agents.
"""

import asyncio
import logging

from mode import Service

from processors.lint_pool import LintPool
from processors.settings import ProcessorSettings
from schemas.admin import ensure_topics
from schemas.errors import LintServiceError

log = logging.getLogger(__name__)


class PoolNotStartedError(LintServiceError):
    """An agent ran before the runtime started: a wiring bug."""


class ProcessorRuntime(Service):
    """Creates the topics, then opens and warms the lint pool."""

    def __init__(self, settings: ProcessorSettings) -> None:
        super().__init__()
        self.settings = settings
        self._pool: LintPool | None = None

    @property
    def pool(self) -> LintPool:
        """The open pool; only valid between start and stop."""
        if self._pool is None:
            raise PoolNotStartedError("the lint pool is not open")
        return self._pool

    async def on_start(self) -> None:
        """Topics first, then the pool, warmed so the first file pays no import time."""
        s = self.settings
        created = await asyncio.to_thread(
            ensure_topics,
            s.kafka_bootstrap_servers,
            s.topics,
            partitions=s.topic_partitions,
            replication_factor=s.topic_replication_factor,
            min_insync_replicas=s.topic_min_insync_replicas,
        )
        if created:
            log.info("created topics %s", created)
        self._pool = LintPool(
            workers=s.lint_workers,
            timeout_seconds=s.lint_timeout_seconds,
            memory_mb=s.lint_memory_mb,
            max_tasks=s.worker_max_tasks,
        )
        await self._pool.warm_up()
        log.info("lint pool ready with %d workers", s.lint_workers)

    async def on_stop(self) -> None:
        """Stop the workers (blocking join, hence the thread)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.close)
