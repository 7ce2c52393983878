"""What the lint agent needs beyond the topics: the shared lint cache and the warm lint pool.

The cache starts empty and fills from its topic in a thread; until then a
miss only costs a lint. The pool is warmed before the agents start, so the
first file pays no import time.
"""

import asyncio
import logging

from processors.cache_reader import CacheReader
from processors.lint_cache import LintCache
from processors.lint_pool import LintPool
from processors.settings import ProcessorSettings
from runtime.faust.resources import WorkerResources, opened

log = logging.getLogger(__name__)


class ProcessorResources(WorkerResources[ProcessorSettings]):
    """Follows the lint cache, then opens and warms the lint pool (after the kit created the topics)."""

    def __init__(self, settings: ProcessorSettings) -> None:
        super().__init__(settings)
        self._pool: LintPool | None = None
        self.cache = LintCache(settings.cache_max_entries) if settings.cache_enabled else None
        self.cache_reader: CacheReader | None = None

    @property
    def pool(self) -> LintPool:
        """The open pool; only valid between start and stop."""
        return opened(self._pool, "the lint pool")

    async def open(self) -> None:
        """The cache reader first: entries arrive while the pool warms up."""
        s = self.settings
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

    async def close(self) -> None:
        """Stop the workers and the cache reader (blocking joins, hence the threads)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.close)
        reader, self.cache_reader = self.cache_reader, None
        if reader is not None:
            reader.stop()
            await asyncio.to_thread(reader.join)
