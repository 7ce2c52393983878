"""The shared lint-result cache: a bounded in-memory view of the compacted lint-cache topic.

Every processor worker follows the whole topic (see ``cache_reader``) and
writes each fresh SUCCESS outcome to it, so a file linted once by any worker
is a hit for all of them. Only SUCCESS outcomes are ever remembered: a
timeout or a crash may depend on the machine's load, never on the file alone.

The entries are filled by the reader thread and read from the event loop and
the expansion threads, hence the lock (``LRUCache`` itself is not
thread-safe); the bound keeps a worker's memory flat however large the
compacted topic grows. Whole archives are remembered beside the files
(:mod:`processors.archive_cache`), by reference to these entries, within the
same bound: an archive can never reference more files than the cache holds.
"""

import logging
import threading
from uuid import UUID

from cachetools import LRUCache

from processors.archive_cache import ArchiveEntries
from processors.cache_key import cache_key
from processors.results import SQLFLUFF_VERSION
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.events import CachedLint, JobExpanded, JobRejected, LintOptions, LintResult, LintTask, Violation
from schemas.statuses import TaskStatus

log = logging.getLogger(__name__)


class LintCache:
    """Cache entries by key, filled from the topic and by this worker's own lints."""

    def __init__(self, max_entries: int, sqlfluff_version: str = SQLFLUFF_VERSION) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.sqlfluff_version = sqlfluff_version
        self._entries: LRUCache[str, CachedLint] = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()
        self.archives = ArchiveEntries(max_entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _put(self, entry: CachedLint) -> None:
        with self._lock:
            self._entries[entry.key] = entry  # the least recently used entry goes past the bound

    def key_for(self, sql: str, options: LintOptions, tenant: str | None = None) -> str:
        """The key this worker's SQLFluff would file ``tenant``'s outcome under."""
        return cache_key(sql, options, self.sqlfluff_version, tenant)

    def get(self, key: str) -> CachedLint | None:
        """The remembered outcome for ``key``, if any, marked as recently used."""
        with self._lock:
            return self._entries.get(key)

    def remember(self, key: str, violations: tuple[Violation, ...]) -> CachedLint:
        """Keep a fresh SUCCESS outcome locally; the caller publishes the returned entry."""
        entry = CachedLint(key=key, violations=violations, sqlfluff_version=self.sqlfluff_version)
        self._put(entry)
        return entry

    def ingest(self, key: bytes | None, value: bytes | None) -> None:
        """Apply one record of the topic: an entry, or a tombstone (``None`` value)."""
        if value is None:
            if key is not None:
                with self._lock:
                    self._entries.pop(key.decode("ascii", "replace"), None)
            return
        try:
            entry = decode(value, CachedLint)
        except SchemaError as exc:  # a bad entry is only a miss, never a wrong result
            log.warning("ignoring an invalid lint-cache entry: %s", exc.message)
            return
        if entry.sqlfluff_version == self.sqlfluff_version:
            self._put(entry)


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
    if not isinstance(event, LintTask) or event.sql_content is None or event.options.fix:
        return event  # a fix is never remembered (see processors.lint_step): no lookup to pay for
    entry = cache.get(cache.key_for(event.sql_content, event.options, event.tenant))
    if entry is None:
        return event
    return cached_result(event.job_id, event.task_id, event.file_name, event.options, entry)
