"""The ``sql_linting_active_jobs`` gauge: counted in the database when scraped, at most once a second.

A gauge set by events would drift (the sink, not the ingest, sees jobs
finish), so the count comes from the rows themselves. Several scrapers, or a
scraper polling fast, cost one indexed count per second, run in a thread;
concurrent scrapes wait for the one count in progress instead of each
running their own. A database that does not answer leaves the last value and
the scrape still succeeds: metrics must not fail with what they measure.
"""

import asyncio
import logging
import time

from sqlalchemy import Engine

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError
from ingest.metrics import Metrics
from ingest.queries import count_active_jobs

log = logging.getLogger(__name__)


class ActiveJobs:
    """Refreshes ``metrics.active_jobs`` from the database, cached for ``max_age_s``."""

    def __init__(self, engine: Engine, metrics: Metrics, max_age_s: float = 1.0) -> None:
        self._engine = engine
        self._metrics = metrics
        self._max_age_s = max_age_s
        self._counted_at: float | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Count again unless the last count is younger than ``max_age_s``."""
        async with self._lock:
            now = time.monotonic()
            if self._counted_at is not None and now - self._counted_at < self._max_age_s:
                return
            try:
                count = await run_db(self._engine, count_active_jobs)
            except DatabaseUnavailableError as exc:
                log.warning("sql_linting_active_jobs keeps its last value: %s", exc.message)
                return
            finally:
                self._counted_at = now
            self._metrics.active_jobs.set(count)
