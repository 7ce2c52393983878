"""The shared lint-result cache: a bounded in-memory view of the compacted lint-cache topic.

Every processor worker follows the whole topic (see ``cache_reader``) and
writes each fresh SUCCESS outcome to it, so a file linted once by any worker
is a hit for all of them. Only SUCCESS outcomes are ever remembered: a
timeout or a crash may depend on the machine's load, never on the file alone.
"""

import logging
from uuid import UUID

from processors.cache_key import cache_key
from processors.lru import BoundedLRU
from processors.results import SQLFLUFF_VERSION
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.events import CachedLint, JobExpanded, JobRejected, LintOptions, LintResult, LintTask, Violation
from schemas.statuses import TaskStatus

log = logging.getLogger(__name__)


class LintCache:
    """Cache entries by key, filled from the topic and by this worker's own lints."""

    def __init__(self, max_entries: int, sqlfluff_version: str = SQLFLUFF_VERSION) -> None:
        self.sqlfluff_version = sqlfluff_version
        self._entries: BoundedLRU[str, CachedLint] = BoundedLRU(max_entries)

    def __len__(self) -> int:
        return len(self._entries)

    def key_for(self, sql: str, options: LintOptions) -> str:
        """The key this worker's SQLFluff would file the outcome under."""
        return cache_key(sql, options, self.sqlfluff_version)

    def get(self, key: str) -> CachedLint | None:
        """The remembered outcome for ``key``, if any."""
        return self._entries.get(key)

    def remember(self, key: str, violations: tuple[Violation, ...]) -> CachedLint:
        """Keep a fresh SUCCESS outcome locally; the caller publishes the returned entry."""
        entry = CachedLint(key=key, violations=violations, sqlfluff_version=self.sqlfluff_version)
        self._entries.put(key, entry)
        return entry

    def ingest(self, key: bytes | None, value: bytes | None) -> None:
        """Apply one record of the topic: an entry, or a tombstone (``None`` value)."""
        if value is None:
            if key is not None:
                self._entries.discard(key.decode("ascii", "replace"))
            return
        try:
            entry = decode(value, CachedLint)
        except SchemaError as exc:  # a bad entry is only a miss, never a wrong result
            log.warning("ignoring an invalid lint-cache entry: %s", exc.message)
            return
        if entry.sqlfluff_version == self.sqlfluff_version:
            self._entries.put(entry.key, entry)


def cached_result(
    job_id: UUID, task_id: UUID, file_name: str, options: LintOptions, entry: CachedLint
) -> LintResult:
    """The ``lint.result`` of a task answered from the cache (``cached=true``)."""
    return LintResult(
        job_id=job_id,
        task_id=task_id,
        file_name=file_name,
        status=TaskStatus.SUCCESS,
        violations=entry.violations,
        dialect=options.dialect,
        sqlfluff_version=entry.sqlfluff_version,
        cached=True,
    )


def answer_from_cache(
    event: LintTask | LintResult | JobExpanded | JobRejected, cache: LintCache
) -> LintTask | LintResult | JobExpanded | JobRejected:
    """An inline task's cached result when there is one; any other event unchanged.

    Blocking-cheap but not free (hashing): called from the expansion thread.
    """
    if not isinstance(event, LintTask) or event.sql_content is None:
        return event
    entry = cache.get(cache.key_for(event.sql_content, event.options))
    if entry is None:
        return event
    return cached_result(event.job_id, event.task_id, event.file_name, event.options, entry)
