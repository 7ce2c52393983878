"""The shared storage root: where a job's source lies for processors on other hosts.

Every path that travels in an event is relative to the root, with POSIX
separators. A form's file is streamed to ``incoming/`` while the body is read
(a body can be read only once, and the file's digest is part of the request)
and moved into its job's folder ``jobs/<job_id>/`` only when the job is being
accepted, so a refused or replayed request leaves no job folder behind.

A ``zip_file_path`` is relative to the tenant's import area,
``<root>/<imports_dir>/<tenant>/`` (a client names ``batch/q.zip``), and must
stay inside it: a path that is unsafe as written (``..``, absolute, a drive, a
NUL) is ``UNSAFE_PATH``, decided from the text alone before any file is looked
at; one that resolves anywhere else (a symlink out, another tenant's area, the
service's ``jobs/`` or ``incoming/``) is answered exactly as a missing file, so
a probe cannot tell "there but not yours" from "not there".
"""

import asyncio
import hashlib
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from uuid import UUID, uuid4

from pydantic import TypeAdapter

from ingest.errors import RequestRejectedError, StorageUnavailableError
from schemas.error_codes import ErrorCode
from schemas.events import TenantName

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DRIVE = re.compile(r"^[A-Za-z]:")
INCOMING = "incoming"
JOBS = "jobs"
# Names the import folder may not take: the service's own areas, or ones that leave the root.
_RESERVED = frozenset({INCOMING, JOBS, ".", ".."})
_TENANT = TypeAdapter(TenantName)
_SHOWN = 200  # characters of a client's path echoed in a message
CHUNK = 256 * 1024


@dataclass(frozen=True)
class StagedFile:
    """A received file not yet given to a job: where under the root, how big, its digest."""

    path: str
    size: int
    sha256: str


def safe_file_name(name: str, default: str) -> str:
    """The last component of a client's file name, reduced to harmless characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._")
    return cleaned or default


def _written_safely(user_path: str) -> PurePosixPath:
    """The client's path, if it is relative and never climbs; judged on the text, no file is looked at."""
    pure = PurePosixPath(user_path.replace("\\", "/"))
    if not user_path or pure.is_absolute() or _DRIVE.match(user_path):
        raise RequestRejectedError(ErrorCode.UNSAFE_PATH, "the path must be relative to the import area")
    if ".." in pure.parts or "\x00" in user_path:
        raise RequestRejectedError(ErrorCode.UNSAFE_PATH, "the path must not climb out with '..'")
    return pure


@contextmanager
def _writing(what: str) -> Iterator[None]:
    """A write the storage root refuses (disk full, read-only, gone) is the service's 503, never a 500."""
    try:
        yield
    except OSError as exc:
        raise StorageUnavailableError(f"cannot store {what}: {exc.strerror or exc}") from exc


async def _write(target: Path, chunks: AsyncIterator[bytes], max_bytes: int) -> tuple[int, str]:
    """Size and sha256 of what was written, chunk by chunk, never holding it whole in memory."""
    digest, size = hashlib.sha256(), 0
    handle = await asyncio.to_thread(target.open, "wb")
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise RequestRejectedError(ErrorCode.FILE_TOO_LARGE, f"the upload exceeds {max_bytes} bytes")
            digest.update(chunk)
            await asyncio.to_thread(handle.write, chunk)
    finally:
        await asyncio.to_thread(handle.close)
    return size, digest.hexdigest()


class Storage:
    """Uploads staged in ``incoming/``, job files in ``jobs/<id>/``, tenants' own in ``imports/<tenant>/``."""

    def __init__(self, root: Path, imports_dir: str = "imports") -> None:
        if imports_dir in _RESERVED or not imports_dir or "/" in imports_dir or "\\" in imports_dir:
            raise ValueError(f"the import folder cannot be {imports_dir!r}: a service folder or not a name")
        self.root = root.resolve()
        self.imports_dir = imports_dir

    def import_area(self, tenant: str) -> Path:
        """The folder a tenant's ``zip_file_path`` is relative to (its files; never deleted by us)."""
        return self.root / self.imports_dir / _TENANT.validate_python(tenant)

    def job_dir(self, job_id: UUID) -> Path:
        """The folder of one job's files."""
        return self.root / JOBS / str(job_id)

    def relative(self, path: Path) -> str:
        """The event form of a path under the root."""
        return path.resolve().relative_to(self.root).as_posix()

    async def stage(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StagedFile:
        """Receive a file of at most ``max_bytes``; nothing is left behind when that fails."""
        target = self.root / INCOMING / uuid4().hex
        try:
            with _writing("the upload"):
                await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
                size, sha256 = await _write(target, chunks, max_bytes)
        except BaseException:
            await asyncio.to_thread(target.unlink, missing_ok=True)
            raise
        return StagedFile(self.relative(target), size, sha256)

    async def drop(self, staged: StagedFile) -> None:
        """Forget a staged file; a no-op once it was given to a job."""
        await asyncio.to_thread((self.root / staged.path).unlink, missing_ok=True)

    async def _job_file(self, job_id: UUID, file_name: str) -> Path:
        target = self.job_dir(job_id) / file_name
        with _writing("the job's folder"):
            await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        return target

    async def adopt(self, staged: StagedFile, job_id: UUID, file_name: str) -> str:
        """Move a staged file into its job's folder; return its storage path."""
        target = await self._job_file(job_id, file_name)
        with _writing("the upload"):
            await asyncio.to_thread(os.replace, self.root / staged.path, target)
        return self.relative(target)

    async def save_text(self, job_id: UUID, file_name: str, text: str) -> str:
        """Store an inline SQL text too large for an event; return its storage path."""
        target = await self._job_file(job_id, file_name)
        with _writing("the SQL text"):
            await asyncio.to_thread(target.write_text, text, encoding="utf-8")
        return self.relative(target)

    async def discard(self, job_id: UUID) -> None:
        """Remove what was stored for a job that was not accepted after all."""
        await asyncio.to_thread(shutil.rmtree, self.job_dir(job_id), ignore_errors=True)

    async def locate(self, user_path: str, suffixes: tuple[str, ...], tenant: str) -> str:
        """The storage path (root-relative) of the file ``tenant`` names, once it is known to be its own."""
        resolved = await asyncio.to_thread(self.resolve_user_path, user_path, suffixes, tenant)
        return self.relative(resolved)

    def resolve_user_path(self, user_path: str, suffixes: tuple[str, ...], tenant: str) -> Path:
        """Resolve a client's path in ``tenant``'s import area; anything outside it is "not found"."""
        pure = _written_safely(user_path)
        shown = pure.as_posix()
        if len(shown) > _SHOWN:
            shown = shown[:_SHOWN] + "..."
        missing = RequestRejectedError(ErrorCode.FILE_NOT_FOUND, f"no file at {shown} in the import area")
        area = self.import_area(tenant)
        try:
            resolved = (area / pure).resolve()
            inside = self._confined(resolved, area.resolve())
            exists, is_file = inside and resolved.exists(), inside and resolved.is_file()
        except (OSError, RuntimeError) as exc:  # a name too long for the file system, a symlink loop
            raise missing from exc
        if not exists:
            raise missing
        if not is_file or resolved.suffix.lower() not in suffixes:
            raise RequestRejectedError(
                ErrorCode.UNSUPPORTED_FILE_TYPE, f"expected a file ending in {', '.join(suffixes)}"
            )
        return resolved

    def _confined(self, resolved: Path, area: Path) -> bool:
        """In the area, under the root, and in none of the service's own folders (an area may be a link)."""
        own = (self.root / JOBS, self.root / INCOMING)
        return (
            resolved.is_relative_to(area)
            and resolved.is_relative_to(self.root)
            and not any(resolved.is_relative_to(folder) for folder in own)
        )

    def is_writable(self) -> bool:
        """Readiness: the root exists as a folder we may write into."""
        return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)
