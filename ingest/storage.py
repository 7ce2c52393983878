"""The shared storage root: where a job's source lies for processors on other hosts.

Every path that travels in an event is relative to the root, with POSIX
separators. A form's file is streamed to ``incoming/`` while the body is read
(a body can be read only once, and the file's digest is part of the request)
and moved into its job's folder ``jobs/<job_id>/`` only when the job is being
accepted, so a refused or replayed request leaves no job folder behind. A path
a client names must stay under the root even through ``..`` or symlinks.
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

from ingest.errors import RequestRejectedError, StorageUnavailableError
from schemas.error_codes import ErrorCode

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DRIVE = re.compile(r"^[A-Za-z]:")
INCOMING = "incoming"
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
    """Staged uploads under ``<root>/incoming/``, the files of jobs under ``<root>/jobs/<job_id>/``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def job_dir(self, job_id: UUID) -> Path:
        """The folder of one job's files."""
        return self.root / "jobs" / str(job_id)

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
        """The storage path of a file ``tenant`` names, once it is known to be safe to read."""
        return self.relative(await asyncio.to_thread(self.resolve_user_path, user_path, suffixes))

    def resolve_user_path(self, user_path: str, suffixes: tuple[str, ...]) -> Path:
        """Resolve a client's path under the root, refusing anything that leaves it."""
        pure = PurePosixPath(user_path.replace("\\", "/"))
        if not user_path or pure.is_absolute() or _DRIVE.match(user_path):
            raise RequestRejectedError(ErrorCode.UNSAFE_PATH, "the path must be relative to the storage root")
        if ".." in pure.parts or "\x00" in user_path:
            raise RequestRejectedError(ErrorCode.UNSAFE_PATH, "the path must not leave the storage root")
        resolved = (self.root / pure).resolve()
        if not resolved.is_relative_to(self.root):
            raise RequestRejectedError(ErrorCode.UNSAFE_PATH, "the path leads outside the storage root")
        try:
            exists, is_file = resolved.exists(), resolved.is_file()
        except OSError as exc:  # e.g. a name longer than the file system allows
            message = f"no file at that path: {exc.strerror}"
            raise RequestRejectedError(ErrorCode.FILE_NOT_FOUND, message) from exc
        if not exists:
            raise RequestRejectedError(ErrorCode.FILE_NOT_FOUND, f"no file at {pure.as_posix()}")
        if not is_file or resolved.suffix.lower() not in suffixes:
            raise RequestRejectedError(
                ErrorCode.UNSUPPORTED_FILE_TYPE, f"expected a file ending in {', '.join(suffixes)}"
            )
        return resolved

    def is_writable(self) -> bool:
        """Readiness: the root exists as a folder we may write into."""
        return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)
