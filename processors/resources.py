"""What the lint agent needs beyond the topics: the shared lint cache and the warm lint pool.

The cache starts empty and fills from its topic in a thread; until then a
miss only costs a lint. The pool warms up (its processes import SQLFluff and
build the default linter) while the worker joins its group: a restarted worker
used to wait for the warm-up first, and the files it is given simply queue
for the processes meanwhile.
"""

import asyncio
import logging

from processors.cache_reader import CacheReader
from processors.lint_budget import LintBudget
from processors.lint_cache import LintCache
from processors.lint_gate import LintGate
from processors.lint_pool import LintOutcome, LintPool
from processors.lint_step import Admission, LintedTask
from processors.metrics import ProcessorMetrics
from processors.settings import ProcessorSettings
from runtime.faust.resources import WorkerResources, opened
from runtime.faust.worker_state import WorkerState
from runtime.kafka_security import kafka_security
from schemas.statuses import TaskStatus
from schemas.worker_events import LintProcess

log = logging.getLogger(__name__)


class ProcessorResources(WorkerResources[ProcessorSettings]):
    """Follows the lint cache, then opens and warms the lint pool (after the kit created the topics)."""

    def __init__(self, settings: ProcessorSettings) -> None:
        super().__init__(settings)
        self._pool: LintPool | None = None
        self._warming: asyncio.Task[None] | None = None
        self.cache = LintCache(settings.cache_max_entries) if settings.cache_enabled else None
        self.cache_reader: CacheReader | None = None
        self.worker_state = WorkerState.for_settings("processors", settings)  # mode owns `.state`
        self.worker_state.lint_processes = self.lint_processes
        self.metrics: ProcessorMetrics | None = None  # set by the app, on its registry
        # The files the pool's batches hold, and no more: a waiting express file goes first.
        self.gate = LintGate(settings.lint_slots)
        self.budget = LintBudget(settings.tenant_limits)

    def admission(self, express: bool) -> Admission:
        """How a task of either lane gets to the pool: this worker's gate and lint budget."""
        return Admission(self.budget, self.gate, express)

    @property
    def pool(self) -> LintPool:
        """The open pool; only valid between start and stop."""
        return opened(self._pool, "the lint pool")

    async def open(self) -> None:
        """The cache reader first: entries arrive while the pool warms up."""
        s = self.settings
        if self.cache is not None:
            self.cache_reader = CacheReader(
                s.kafka_bootstrap_servers, s.topics.lint_cache, self.cache, kafka_security(s)
            )
            self.cache_reader.start()
        self._pool = LintPool(
            workers=s.lint_workers,
            timeout_seconds=s.lint_timeout_seconds,
            memory_mb=s.lint_memory_mb,
            max_tasks=s.worker_max_tasks,
            measured=self._measured,
            batch_files=s.lint_batch_files,
            batch_bytes=s.lint_batch_bytes,
        )
        self._warming = asyncio.create_task(self._warm_up(self._pool), name="lint pool warm-up")

    async def _warm_up(self, pool: LintPool) -> None:
        await pool.warm_up()
        log.info("lint pool ready with %d workers", self.settings.lint_workers)

    def lint_processes(self) -> tuple[LintProcess, ...]:
        """The pool's processes now; none while it is closed."""
        return self._pool.processes() if self._pool is not None else ()

    def _measured(self, dialect: str, outcome: LintOutcome) -> None:
        if self.metrics is not None:
            self.metrics.linted(dialect, outcome.duration_ms, outcome.linted_bytes)

    def task_done(self, linted: LintedTask) -> None:
        """The lint step's result of a task was published: the worker's account and metrics follow."""
        result = linted.result
        self.worker_state.task_finished(result.task_id, failed=result.status is TaskStatus.FAILURE)
        if self.metrics is not None:
            self.metrics.result_published(result)
            if linted.cache_missed:
                self.metrics.cache_misses.inc()

    async def close(self) -> None:
        """Stop the workers and the cache reader (blocking joins, hence the threads)."""
        warming, self._warming = self._warming, None
        if warming is not None:
            warming.cancel()
            await asyncio.gather(warming, return_exceptions=True)
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.close)
        reader, self.cache_reader = self.cache_reader, None
        if reader is not None:
            reader.stop()
            await asyncio.to_thread(reader.join)
