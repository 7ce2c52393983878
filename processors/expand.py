"""Splitting a submitted job into one lint task per file.

The events come out in publishing order: tasks and expansion-time FAILURE
results first, then ``job.expanded`` (or ``job.rejected`` when the job as a
whole cannot be processed). Task ids derive from the job id and the file's
position, so a replayed expansion publishes the same tasks again instead of
new ones, and the downstream upserts make the replay harmless.
"""

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Generator, Iterable
from pathlib import Path

from processors.expand_archive import iter_archive_events
from processors.lint_cache import LintCache, answer_from_cache
from processors.results import failure_result, task_id_for
from processors.settings import ProcessorSettings
from processors.storage import UnsafePathError, resolve_job_source
from schemas.error_codes import ErrorCode
from schemas.errors import error_info, failure
from schemas.events import (
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintResult,
    LintTask,
    TaskRegistered,
)
from schemas.statuses import SubmissionType

ExpansionEvent = LintTask | LintResult | JobExpanded | JobRejected
PublishedEvent = ExpansionEvent | TaskRegistered
# Told the job's file count before its first task is yielded (it decides the tasks' lane).
Sized = Callable[[int], None]
# Events handed from the ZIP-reading thread at a time: bounds memory to a few inline texts.
THREAD_BATCH = 32


def _name_of(job: JobSubmitted, default: str) -> str:
    return job.file_name or default


def expand_inline(job: JobSubmitted, settings: ProcessorSettings) -> list[ExpansionEvent]:
    """A job carrying its SQL text: one inline task, unless the text is refused outright."""
    text = job.sql_content or ""
    task_id = task_id_for(job.job_id, 0)
    name = _name_of(job, "inline.sql")
    size = len(text.encode("utf-8", "surrogatepass"))
    limit = settings.max_file_bytes
    error = None
    if size > limit:
        error = failure(ErrorCode.FILE_TOO_LARGE, f"{size} bytes; the limit is {limit}")
    elif "\x00" in text:
        error = failure(ErrorCode.NOT_TEXT, "contains NUL characters: looks like a binary file")
    first: ExpansionEvent
    if error is not None:
        first = failure_result(job.job_id, task_id, name, job.options, error)
    else:
        first = LintTask(
            task_id=task_id,
            job_id=job.job_id,
            ordinal=0,
            file_name=name,
            sql_content=text,
            size_bytes=size,
            options=job.options,
            tenant=job.tenant,
        )
    return [first, JobExpanded(job_id=job.job_id, task_count=1)]


def expand_single_file(job: JobSubmitted, settings: ProcessorSettings) -> list[ExpansionEvent]:
    """One uploaded file: the task references it; reading and decoding happen in the lint step."""
    storage_path = job.storage_path or ""
    try:
        path = resolve_job_source(settings.nfs_share_root_path, job, settings.imports_dir)
    except UnsafePathError as exc:
        return [JobRejected(job_id=job.job_id, error=error_info(exc))]
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = 0  # the lint step reports FILE_NOT_FOUND for this one file
    task = LintTask(
        task_id=task_id_for(job.job_id, 0),
        job_id=job.job_id,
        ordinal=0,
        file_name=_name_of(job, Path(storage_path).name),
        storage_path=storage_path,
        size_bytes=size,
        options=job.options,
        tenant=job.tenant,
    )
    return [task, JobExpanded(job_id=job.job_id, task_count=1)]


def _no_size(_files: int) -> None:
    return None


def _source_events(
    job: JobSubmitted, settings: ProcessorSettings, cache: LintCache | None, sized: Sized
) -> Iterable[ExpansionEvent]:
    """Each file's task or settled result, then the job's end; a ZIP's members looked up as they are read."""
    if job.sql_content is not None:
        sized(1)
        events = expand_inline(job, settings)
        return events if cache is None else [answer_from_cache(event, cache) for event in events]
    if job.submission_type is SubmissionType.SINGLE_FILE:
        sized(1)
        return expand_single_file(job, settings)
    return iter_archive_events(job, settings, cache, sized)


def iter_job_events(
    job: JobSubmitted, settings: ProcessorSettings, cache: LintCache | None = None, sized: Sized = _no_size
) -> Generator[PublishedEvent]:
    """Blocking: every event the job expands into, in publishing order.

    With a cache, a file whose twin was linted before becomes its ``cached``
    result right here: no task event, no pool round trip (a ZIP byte-identical
    to one expanded before, from one archive entry: :mod:`processors.expand_archive`).
    Every source yields one task or result per file in file order, so a result
    settled here is announced with its ordinal by a ``task.registered``.
    ``sized`` learns the job's file count before the first event is yielded.
    """
    files = 0
    for event in _source_events(job, settings, cache, sized):
        if isinstance(event, LintResult):
            yield TaskRegistered(
                task_id=event.task_id, job_id=event.job_id, ordinal=files, file_name=event.file_name
            )
        files += isinstance(event, LintTask | LintResult)
        yield event


async def expand_job(
    job: JobSubmitted, settings: ProcessorSettings, cache: LintCache | None = None, sized: Sized = _no_size
) -> AsyncIterator[PublishedEvent]:
    """:func:`iter_job_events` with its disk work (and hashing) in threads, a small batch at a time."""
    events = iter_job_events(job, settings, cache, sized)
    try:
        while batch := await asyncio.to_thread(list, itertools.islice(events, THREAD_BATCH)):
            for event in batch:
                yield event
    finally:
        if not events.gi_running:  # cancelled mid-batch: the thread finishes it and drops the rest
            events.close()
