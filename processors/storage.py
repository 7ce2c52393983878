"""Files on the shared storage: resolving event paths safely, extracting, reading task text.

Blocking I/O on purpose (NFS can stall); callers run these in a thread.
"""

import os
from pathlib import Path
from uuid import UUID, uuid4

from processors.text import decode_sql
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError
from schemas.events import DEFAULT_TENANT, JobSubmitted, LintTask


class UnsafePathError(LintServiceError, code=ErrorCode.UNSAFE_PATH):
    """A ``storage_path`` from an event points outside the storage root."""


class FileMissingError(LintServiceError, code=ErrorCode.FILE_NOT_FOUND):
    """The file a task references is not in storage (deleted, or never written)."""


class FileTooLargeError(LintServiceError, code=ErrorCode.FILE_TOO_LARGE):
    """The file is over the per-file limit; only this file fails."""


def task_file_relpath(job_id: UUID, task_id: UUID) -> str:
    """Where a large member is extracted: named by ids we made, never by the archive's names."""
    return f"jobs/{job_id}/tasks/{task_id}.sql"


def resolve_storage(root: Path, storage_path: str) -> Path:
    """Absolute path of ``storage_path`` under ``root``; refuses anything that escapes it.

    The jobs topic is public, so a producer could name ``../../etc/passwd``.
    """
    base = root.resolve()
    path = (base / storage_path).resolve()
    if not path.is_relative_to(base) or path == base:
        raise UnsafePathError(f"storage_path {storage_path!r} is outside the storage root")
    return path


def resolve_job_source(root: Path, job: JobSubmitted, imports_dir: str) -> Path:
    """Where a job's source lies, if it is the job's own or its tenant's: else UnsafePathError.

    The ingest checked a ``zip_file_path`` when it accepted the job, but a file can be swapped
    for a link since, and a producer on a tenant topic names any path it likes: only the job's
    own folder (``jobs/<job_id>/``, written by the ingest) and its tenant's import area are read.
    The answer depends on the path's text and on links alone, never on whether a file exists.
    """
    path = resolve_storage(root, job.storage_path or "")
    base = root.resolve()
    tenant_area = (base / imports_dir / (job.tenant or DEFAULT_TENANT)).resolve()
    own = (base / "jobs" / str(job.job_id)).resolve()
    if not any(path.is_relative_to(area) and path != area for area in (own, tenant_area)):
        raise UnsafePathError(
            f"storage_path {job.storage_path!r} is neither the job's own nor in its tenant's import area"
        )
    return path


def is_own_upload(root: Path, job: JobSubmitted, path: Path) -> bool:
    """Whether ``path`` (resolved) is in the job's own folder, which only the ingest writes, once."""
    return path.is_relative_to((root.resolve() / "jobs" / str(job.job_id)).resolve())


def write_task_file(root: Path, relpath: str, data: bytes) -> None:
    """Atomic, so a replay or a concurrent reader never sees half a file."""
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{uuid4()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)


def read_task_sql(task: LintTask, root: Path, max_bytes: int) -> str:
    """The SQL text of a task: inline, or read and decoded from storage within ``max_bytes``."""
    if task.sql_content is not None:
        return task.sql_content
    path = resolve_storage(root, task.storage_path or "")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # never more than the limit plus one byte in memory
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise FileMissingError(f"{task.storage_path!r} is not in storage") from exc
    if len(data) > max_bytes:
        raise FileTooLargeError(f"the file is larger than {max_bytes} bytes")
    return decode_sql(data)
