"""The shared storage root: saving uploads and resolving user-given paths safely.

Processors on other hosts read what the ingest writes, so every path that
travels in an event is relative to the root with POSIX separators. A path a
user names must stay under the root even through ``..`` or symlinks.
"""

import asyncio
import hashlib
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.errors import RequestRejectedError

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 256 * 1024


@dataclass(frozen=True)
class SavedFile:
    """An upload on disk: where (relative to the root), how big, and its digest."""

    storage_path: str
    size: int
    sha256: str


def safe_file_name(name: str, default: str) -> str:
    """The last component of a client's file name, reduced to harmless characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._")
    return cleaned or default


class Storage:
    """Files of the jobs under ``<root>/jobs/<job_id>/``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def job_dir(self, job_id: str) -> Path:
        """The folder of one job's files."""
        return self.root / "jobs" / job_id

    def relative(self, path: Path) -> str:
        """The event form of a path under the root."""
        return path.resolve().relative_to(self.root).as_posix()

    async def save_stream(
        self, job_id: str, file_name: str, chunks: AsyncIterator[bytes], max_bytes: int
    ) -> SavedFile:
        """Write an upload chunk by chunk, never holding it whole in memory."""
        target = self.job_dir(job_id) / file_name
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle = await asyncio.to_thread(target.open, "wb")
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise RequestRejectedError("FILE_TOO_LARGE", f"the upload exceeds {max_bytes} bytes", 413)
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
        finally:
            await asyncio.to_thread(handle.close)
        return SavedFile(self.relative(target), size, digest.hexdigest())

    async def save_text(self, job_id: str, file_name: str, text: str) -> str:
        """Store an inline SQL text too large for an event; return its storage path."""
        target = self.job_dir(job_id) / file_name
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(target.write_text, text, encoding="utf-8")
        return self.relative(target)

    async def discard(self, job_id: str) -> None:
        """Remove what was saved for a job that was not accepted after all."""
        await asyncio.to_thread(shutil.rmtree, self.job_dir(job_id), ignore_errors=True)

    def resolve_user_path(self, user_path: str, suffixes: tuple[str, ...]) -> Path:
        """Resolve a client's path under the root, refusing anything that leaves it."""
        pure = PurePosixPath(user_path.replace("\\", "/"))
        if not user_path or pure.is_absolute() or re.match(r"^[A-Za-z]:", user_path):
            raise RequestRejectedError("UNSAFE_PATH", "the path must be relative to the storage root")
        if ".." in pure.parts or "\x00" in user_path:
            raise RequestRejectedError("UNSAFE_PATH", "the path must not leave the storage root")
        resolved = (self.root / pure).resolve()
        if not resolved.is_relative_to(self.root):
            raise RequestRejectedError("UNSAFE_PATH", "the path leads outside the storage root")
        if not resolved.exists():
            raise RequestRejectedError("FILE_NOT_FOUND", f"no file at {pure.as_posix()}", 404)
        if not resolved.is_file() or resolved.suffix.lower() not in suffixes:
            raise RequestRejectedError(
                "UNSUPPORTED_FILE_TYPE", f"expected a file ending in {', '.join(suffixes)}"
            )
        return resolved

    def is_writable(self) -> bool:
        """Readiness: the root exists as a folder we may write into."""
        return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)
