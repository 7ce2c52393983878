"""Resources the agents share, opened before Faust consumes and closed after it stops.

Added to the app as its first dependency: mode starts children in order and
stops them in reverse, so topics exist before the consumer subscribes (Faust
cannot cope with missing topics on Kafka 4) and the pool outlives the agents.
"""

import asyncio
import logging

from mode import Service

from processors.cache_reader import CacheReader
from processors.lint_cache import LintCache
from processors.lint_pool import LintPool
from processors.settings import ProcessorSettings
from runtime.kafka_admin import ensure_service_topics
from schemas.errors import LintServiceError

log = logging.getLogger(__name__)


class PoolNotStartedError(LintServiceError):
    """An agent ran before the runtime started: a wiring bug."""


class ProcessorRuntime(Service):
    """Creates the topics, follows the lint cache, then opens and warms the lint pool."""

    def __init__(self, settings: ProcessorSettings) -> None:
        super().__init__()
        self.settings = settings
        self._pool: LintPool | None = None
        # The cache starts empty and fills from the topic; until then misses only cost a lint.
        self.cache = LintCache(settings.cache_max_entries) if settings.cache_enabled else None
        self.cache_reader: CacheReader | None = None

    @property
    def pool(self) -> LintPool:
        """The open pool; only valid between start and stop."""
        if self._pool is None:
            raise PoolNotStartedError("the lint pool is not open")
        return self._pool

    async def on_start(self) -> None:
        """Topics first, then the pool, warmed so the first file pays no import time."""
        s = self.settings
        created = await asyncio.to_thread(ensure_service_topics, s)
        if created:
            log.info("created topics %s", created)
        if self.cache is not None:
            self.cache_reader = CacheReader(s.kafka_bootstrap_servers, s.topics.lint_cache, self.cache)
            self.cache_reader.start()
        self._pool = LintPool(
            workers=s.lint_workers,
            timeout_seconds=s.lint_timeout_seconds,
            memory_mb=s.lint_memory_mb,
            max_tasks=s.worker_max_tasks,
        )
        await self._pool.warm_up()
        log.info("lint pool ready with %d workers", s.lint_workers)

    async def on_stop(self) -> None:
        """Stop the workers and the cache reader (blocking joins, hence the threads)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.close)
        reader, self.cache_reader = self.cache_reader, None
        if reader is not None:
            reader.stop()
            await asyncio.to_thread(reader.join)
