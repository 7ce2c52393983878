"""The sink's retention loop: every ``SINK_RETENTION_SWEEP_S`` it purges old rows and cleans job folders.

It runs in the sink because the sink is where a job becomes final (see
:mod:`sink.retention` for why that makes deleting safe). Any number of sink
replicas may run it: every step is idempotent. The files part needs the
storage root (``NFS_SHARE_ROOT_PATH``) mounted on the sink; where it is not,
only rows are purged.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine

from runtime.rows import naive_utc
from sink.retention import Purged, cutoff, purge_rows, sweep_files
from sink.rounds import Rounds
from sink.settings import SinkSettings

log = logging.getLogger(__name__)
DAY_S = 24 * 3600


class RetentionLoop:
    """Runs :meth:`run_once` in a thread, then sleeps; a failed round is logged and retried next time."""

    def __init__(self, settings: SinkSettings, engine: Callable[[], Engine]) -> None:
        self.settings = settings
        self._engine = engine
        self._rounds = Rounds("retention", self._round, settings.retention_sweep_s)

    def start(self) -> None:
        """Start in the background (from the sink's resources)."""
        self._rounds.start()

    async def stop(self) -> None:
        """Stop; a round cut short leaves only work for the next round (each delete is idempotent)."""
        await self._rounds.stop()

    def run_once(self) -> tuple[Purged, int]:
        """Purge rows past the retention, then clean the job folders; return what went."""
        engine, days, batch = self._engine(), self.settings.retention_days, self.settings.retention_batch
        purged = purge_rows(engine, cutoff(naive_utc(datetime.now(UTC)), days), batch)
        orphan_before = time.time() - days * DAY_S
        removed = sweep_files(engine, self.settings.nfs_share_root_path, orphan_before, batch)
        if purged.jobs or purged.keys or purged.usage or removed:
            log.info(
                "retention: %d jobs, %d idempotency keys and %d daily usage rows purged, "
                "%d stored entries removed",
                purged.jobs,
                purged.keys,
                purged.usage,
                removed,
            )
        return purged, removed

    async def _round(self) -> bool:
        """One round in a thread (file and row deletes block); the next one after the pause."""
        await asyncio.to_thread(self.run_once)
        return False
