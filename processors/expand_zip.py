"""Expanding a ZIP job: one task (or expansion-time FAILURE result) per ``.sql`` member."""

import zipfile
from collections.abc import Callable, Iterator

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


def _member_event(
    job: JobSubmitted,
    settings: ProcessorSettings,
    zf: zipfile.ZipFile,
    member: ZipMember,
    ordinal: int,
    budget: ReadBudget,
) -> ZipEvent:
    task_id = task_id_for(job.job_id, ordinal)
    error = member.problem
    if error is None:
        try:
            data = read_member(zf, member, settings.zip_limits, budget)
            text = decode_sql(data)
        except (MemberRejectedError, NotTextError) as exc:
            error = error_info(exc)
    if error is not None:
        return failure_result(job.job_id, task_id, member.name, job.options, error)
    common = {
        "task_id": task_id, "job_id": job.job_id, "ordinal": ordinal, "file_name": member.name,
        "tenant": job.tenant,
    }
    if len(data) <= settings.inline_max_bytes:
        return LintTask(**common, sql_content=text, size_bytes=len(data), options=job.options)
    relpath = task_file_relpath(job.job_id, task_id)
    write_task_file(settings.nfs_share_root_path, relpath, data)
    return LintTask(**common, storage_path=relpath, size_bytes=len(data), options=job.options)


def iter_zip_events(
    job: JobSubmitted, settings: ProcessorSettings, sized: Callable[[int], None] | None = None
) -> Iterator[ZipEvent]:
    """Blocking: one event per ``.sql`` member, then ``job.expanded``; run it off the event loop.

    ``sized`` is told the member count once the archive is listed, before the first member's event.
    """
    limits = settings.zip_limits
    try:
        path = resolve_job_source(settings.nfs_share_root_path, job, settings.imports_dir)
        with open_archive(path, limits) as zf:
            listing = list_members(zf, limits)
            if sized is not None:
                sized(len(listing.members))
            budget = ReadBudget(limits)
            for ordinal, member in enumerate(listing.members):
                yield _member_event(job, settings, zf, member, ordinal, budget)
    except (ArchiveRejectedError, UnsafePathError) as exc:
        yield JobRejected(job_id=job.job_id, error=error_info(exc))
        return
    except FileNotFoundError:
        missing = failure(ErrorCode.FILE_NOT_FOUND, "the archive is not in storage")
        yield JobRejected(job_id=job.job_id, error=missing)
        return
    yield JobExpanded(job_id=job.job_id, task_count=len(listing.members))
