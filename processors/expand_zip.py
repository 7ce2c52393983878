"""Expanding a ZIP job: one task (or expansion-time FAILURE or cached result) per ``.sql`` member.

Under ``exactly_once`` every event of a job's expansion stays in memory until
its transaction commits, so the inline SQL a job may carry is bounded there
(``transaction_inline_max_bytes``); members past that bound are written to task
files, as members over ``inline_max_bytes`` always are. Under ``at_least_once``
events stream out as they are made, and no budget is needed.
"""

import zipfile
from collections.abc import Callable, Iterator
from uuid import UUID

from policy.zip_policy import (
    ArchiveRejectedError,
    MemberRejectedError,
    ReadBudget,
    ZipMember,
    list_members,
    open_archive,
    read_member,
)
from processors.results import failure_result, task_id_for
from processors.settings import ProcessorSettings
from processors.storage import UnsafePathError, resolve_job_source, task_file_relpath, write_task_file
from processors.text import NotTextError, decode_sql
from schemas.error_codes import ErrorCode
from schemas.errors import error_info, failure
from schemas.events import JobExpanded, JobRejected, JobSubmitted, LintResult, LintTask

ZipEvent = LintTask | LintResult | JobExpanded | JobRejected
# A member's result known without linting it (the cache's), given its ordinal, task id, name and text.
Answer = Callable[[int, UUID, str, str], LintResult | None]


class InlineBudget:
    """Inline SQL bytes one job's tasks may still carry; ``None``: no bound."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0

    def take(self, size: int) -> bool:
        """Whether a member of ``size`` bytes may travel inline; if so its bytes are spent."""
        if self.limit is not None and self.used + size > self.limit:
            return False
        self.used += size
        return True


def inline_budget(settings: ProcessorSettings) -> InlineBudget:
    """A job's budget: bounded only where its expansion is held in memory until it commits."""
    held = settings.processing_guarantee == "exactly_once"
    return InlineBudget(settings.transaction_inline_max_bytes if held else None)


class _Expansion:
    """One archive's per-member decisions: limits, the cache's answer, inline or by path."""

    def __init__(self, job: JobSubmitted, settings: ProcessorSettings, answer: Answer | None) -> None:
        self.job, self.settings, self.answer = job, settings, answer
        self.reads = ReadBudget(settings.zip_limits)
        self.inline = inline_budget(settings)

    def event(self, zf: zipfile.ZipFile, member: ZipMember, ordinal: int) -> ZipEvent:
        job, settings = self.job, self.settings
        task_id = task_id_for(job.job_id, ordinal)
        error = member.problem
        if error is None:
            try:
                data = read_member(zf, member, settings.zip_limits, self.reads)
                text = decode_sql(data)
            except (MemberRejectedError, NotTextError) as exc:
                error = error_info(exc)
        if error is not None:
            return failure_result(job.job_id, task_id, member.name, job.options, error)
        cached = self.answer(ordinal, task_id, member.name, text) if self.answer is not None else None
        if cached is not None:
            return cached
        common = {
            "task_id": task_id, "job_id": job.job_id, "ordinal": ordinal, "file_name": member.name,
            "tenant": job.tenant, "size_bytes": len(data), "options": job.options,
        }
        if len(data) <= settings.inline_max_bytes and self.inline.take(len(data)):
            return LintTask(**common, sql_content=text)
        relpath = task_file_relpath(job.job_id, task_id)
        write_task_file(settings.nfs_share_root_path, relpath, data)
        return LintTask(**common, storage_path=relpath)


def iter_zip_events(
    job: JobSubmitted,
    settings: ProcessorSettings,
    sized: Callable[[int], None] | None = None,
    answer: Answer | None = None,
) -> Iterator[ZipEvent]:
    """Blocking: one event per ``.sql`` member, then ``job.expanded``; run it off the event loop.

    ``sized`` is told the member count once the archive is listed, before the first member's event.
    ``answer`` may settle a readable member from the cache instead of making it a task.
    """
    limits = settings.zip_limits
    expansion = _Expansion(job, settings, answer)
    try:
        path = resolve_job_source(settings.nfs_share_root_path, job, settings.imports_dir)
        with open_archive(path, limits) as zf:
            listing = list_members(zf, limits)
            if sized is not None:
                sized(len(listing.members))
            for ordinal, member in enumerate(listing.members):
                yield expansion.event(zf, member, ordinal)
    except (ArchiveRejectedError, UnsafePathError) as exc:
        yield JobRejected(job_id=job.job_id, error=error_info(exc))
        return
    except FileNotFoundError:
        missing = failure(ErrorCode.FILE_NOT_FOUND, "the archive is not in storage")
        yield JobRejected(job_id=job.job_id, error=missing)
        return
    yield JobExpanded(job_id=job.job_id, task_count=len(listing.members))
