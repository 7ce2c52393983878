"""A ZIP job's expansion with the cache: the whole archive from one entry, else member by member.

An upload byte-identical to an archive this worker expanded before, whose
members' per-file entries are all still cached, is answered without opening
it: one hash of the file, one entry, then each member's ``cached`` result (or
its expansion-time FAILURE) in archive order, the very events the member-by-member
path would have made from the same cache. Otherwise the archive is expanded
member by member, each member looked up by its own key, and those keys are
remembered for the next upload of the same bytes once the expansion completes.

Only the job's own upload (``jobs/<job_id>/``, written once by the ingest) is
keyed: a tenant's import area can be rewritten between hashing and reading.
"""

import logging
from collections.abc import Callable, Iterator
from uuid import UUID

from processors.archive_cache import ArchiveEntry, Reference, archive_key
from processors.expand_zip import ZipEvent, iter_zip_events
from processors.lint_cache import LintCache, cached_result
from processors.results import failure_result, task_id_for
from processors.settings import ProcessorSettings
from processors.storage import UnsafePathError, is_own_upload, resolve_job_source
from schemas.events import ErrorInfo, JobExpanded, JobSubmitted, LintResult, LintTask
from schemas.statuses import TaskStatus

log = logging.getLogger(__name__)
Sized = Callable[[int], None]


class _Recorder:
    """Answers members from the per-file cache and notes each member's reference, in order."""

    def __init__(self, job: JobSubmitted, cache: LintCache) -> None:
        self.job, self.cache = job, cache
        self.keys: dict[int, str] = {}
        self.names: list[str] = []
        self.references: list[Reference | None] = []

    def answer(self, ordinal: int, task_id: UUID, name: str, text: str) -> LintResult | None:
        job = self.job
        key = self.keys[ordinal] = self.cache.key_for(text, job.options, job.tenant)
        entry = self.cache.get(key)
        return None if entry is None else cached_result(job.job_id, task_id, name, job.options, entry)

    def note(self, event: LintTask | LintResult) -> None:
        ordinal = len(self.names)
        self.names.append(event.file_name)
        failed = isinstance(event, LintResult) and event.status is TaskStatus.FAILURE
        self.references.append(event.error if failed else self.keys.get(ordinal))

    def keep(self, key: str) -> None:
        """Remember the completed expansion under ``key`` if every member has a key or an error."""
        references = [r for r in self.references if r is not None]
        if len(references) == len(self.names):
            self.cache.archives.put(key, ArchiveEntry(tuple(self.names), tuple(references)))


def _answered(entry: ArchiveEntry, job: JobSubmitted, cache: LintCache) -> list[LintResult] | None:
    """Every member's result from ``entry``, or ``None`` when any member's entry is gone."""
    results: list[LintResult] = []
    for ordinal, (name, reference) in enumerate(zip(entry.names, entry.references, strict=True)):
        task_id = task_id_for(job.job_id, ordinal)
        if isinstance(reference, ErrorInfo):
            results.append(failure_result(job.job_id, task_id, name, job.options, reference))
            continue
        hit = cache.get(reference)
        if hit is None:
            return None
        results.append(cached_result(job.job_id, task_id, name, job.options, hit))
    return results


def _key(job: JobSubmitted, settings: ProcessorSettings, cache: LintCache) -> str | None:
    root = settings.nfs_share_root_path
    try:
        path = resolve_job_source(root, job, settings.imports_dir)
    except UnsafePathError:
        return None  # the expansion rejects it
    if not is_own_upload(root, job, path):
        return None
    return archive_key(path, job.options, cache.sqlfluff_version, job.tenant, settings.zip_limits)


def iter_archive_events(
    job: JobSubmitted, settings: ProcessorSettings, cache: LintCache | None, sized: Sized
) -> Iterator[ZipEvent]:
    """Blocking: the ZIP job's events, from its archive's entry when there is a complete one."""
    if cache is None or job.options.fix:  # a fix is never remembered: no lookups to pay for
        yield from iter_zip_events(job, settings, sized)
        return
    key = _key(job, settings, cache)
    entry = cache.archives.get(key) if key is not None else None
    answered = _answered(entry, job, cache) if entry is not None else None
    if answered is not None:
        log.info("job %s: its archive was expanded before; %d files answered from one entry",
                 job.job_id, len(answered))
        sized(len(answered))
        yield from answered
        yield JobExpanded(job_id=job.job_id, task_count=len(answered))
        return
    recorder = _Recorder(job, cache)
    for event in iter_zip_events(job, settings, sized, recorder.answer):
        if isinstance(event, LintTask | LintResult):
            recorder.note(event)
        elif isinstance(event, JobExpanded) and key is not None:
            recorder.keep(key)
        yield event
