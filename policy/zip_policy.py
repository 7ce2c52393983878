"""What a job's ZIP may contain, and how much of it we are willing to inflate.

Everything decidable from the central directory (entry count, encryption,
overlapping entries, unsafe names, declared sizes) is checked before a single
member is read, so the ingest can answer 4xx at upload time. While reading,
only bytes actually produced count: header sizes may lie, so every member is
streamed in chunks against its own limit, its compression ratio and a budget
shared by the whole archive, and memory never exceeds one limit plus a chunk.
"""

import itertools
import lzma
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from pydantic import BaseModel, ConfigDict, Field

from policy.zip_directory import declared_directory
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError, error_info, failure
from schemas.events import ErrorInfo

MiB = 1024 * 1024
CHUNK_BYTES = 64 * 1024
# Tiny members have noisy ratios (a few KiB of blanks compress 300:1); judge only past one chunk.
RATIO_GRACE_BYTES = CHUNK_BYTES
MAX_NAME_CHARS = 1024
_LOCAL_HEADER_BYTES = 30
# A generous average central-directory record (46 fixed bytes, a long name, extras).
MAX_RECORD_BYTES = 4096
_SUPPORTED_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_IGNORED_DIRS = ("__MACOSX/",)
_NESTED_SUFFIXES = (".zip",)
_CORRUPT_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)


class ZipLimits(BaseModel):
    """Bounds on one archive; a service embeds this in its settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_entries: int = Field(10_000, ge=1, description="Central-directory entries (any kind) per archive.")
    max_total_bytes: int = Field(
        512 * MiB, ge=1, description="Uncompressed bytes read from all members, counted as they are read."
    )
    max_file_bytes: int = Field(
        1 * MiB, ge=1, description="Per .sql member; over it that file is a FAILURE, the job goes on."
    )
    max_ratio: float = Field(
        200.0, gt=1, description="Per-member uncompressed/compressed ratio while reading."
    )
    max_archive_bytes: int = Field(256 * MiB, ge=1, description="Size of the uploaded .zip file itself.")


class _PolicyError(LintServiceError):
    def error_info(self) -> ErrorInfo:
        """The wire form of this error, for a ``job.rejected`` or a FAILURE ``lint.result``."""
        return error_info(self)


class ArchiveRejectedError(_PolicyError, code=ErrorCode.ZIP_CORRUPT):
    """The archive as a whole cannot be processed (the job is rejected)."""


class MemberRejectedError(_PolicyError, code=ErrorCode.FILE_TOO_LARGE):
    """One member cannot be linted (that file is a FAILURE; the job continues)."""


@dataclass(frozen=True)
class ZipMember:
    """A ``.sql`` entry: ``name`` becomes the task's ``file_name``; ``problem`` makes it a FAILURE."""

    index: int
    name: str
    info: zipfile.ZipInfo
    problem: ErrorInfo | None = None


@dataclass(frozen=True)
class ArchiveListing:
    """The ``.sql`` members to lint, in archive order, and the names of everything else."""

    members: tuple[ZipMember, ...]
    skipped: tuple[str, ...]


class ReadBudget:
    """Uncompressed bytes the whole archive may still produce, shared by all member reads."""

    def __init__(self, limits: ZipLimits) -> None:
        self.limit = limits.max_total_bytes
        self.used = 0

    def consume(self, count: int) -> None:
        """Count bytes already produced; over the limit the whole archive is rejected."""
        self.used += count
        if self.used > self.limit:
            raise ArchiveRejectedError(
                f"archive inflates to more than {self.limit} bytes", code=ErrorCode.ZIP_TOO_LARGE
            )


_PATH_CHECKS: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda raw: "\\" in raw, "backslash in entry name"),
    (lambda raw: raw.startswith("/"), "absolute entry name"),
    (lambda raw: len(raw) > 1 and raw[1] == ":" and raw[0].isalpha(), "drive letter in entry name"),
    (lambda raw: ".." in raw.split("/"), "'..' component in entry name"),
    (lambda raw: any(ord(ch) < 0x20 for ch in raw), "control character in entry name"),
    (lambda raw: len(raw) > MAX_NAME_CHARS, f"entry name longer than {MAX_NAME_CHARS} characters"),
)


def _path_problem(raw: str) -> str | None:
    """Names never become file paths here, but a zip-slip name is an attack, not a file to lint."""
    return next((message for check, message in _PATH_CHECKS if check(raw)), None)


def _kind_problem(info: zipfile.ZipInfo) -> ErrorInfo | None:
    """Problems of what the entry is, decided before its size is even looked at."""
    path_problem = _path_problem(info.filename)
    if path_problem is not None:
        return failure(ErrorCode.UNSAFE_PATH, path_problem)
    if stat.S_ISLNK(info.external_attr >> 16):
        return failure(ErrorCode.SYMLINK, "entry is a symbolic link")
    if _is_archive(info):
        return failure(ErrorCode.NESTED_ARCHIVE, "archives inside the archive are not expanded")
    if info.compress_type not in _SUPPORTED_METHODS:
        return failure(ErrorCode.UNSUPPORTED_COMPRESSION, f"compression method {info.compress_type}")
    return None


def _member_problem(info: zipfile.ZipInfo, limits: ZipLimits) -> ErrorInfo | None:
    kind = _kind_problem(info)
    if kind is not None:
        return kind
    if info.file_size > limits.max_file_bytes:
        return failure(
            ErrorCode.FILE_TOO_LARGE, f"{info.file_size} bytes; the limit is {limits.max_file_bytes}"
        )
    if info.file_size > RATIO_GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return failure(ErrorCode.ZIP_BOMB, f"declared ratio over {limits.max_ratio}")
    return None


def _is_listed(info: zipfile.ZipInfo, suffixes: tuple[str, ...]) -> bool:
    name = info.filename
    return (
        not info.is_dir()
        and name.lower().endswith(suffixes)
        and not name.startswith(_IGNORED_DIRS)
        and not PurePosixPath(name.replace("\\", "/")).name.startswith("._")
    )


def _is_archive(info: zipfile.ZipInfo) -> bool:
    """A nested archive is never opened (recursive bombs), but it is reported, not dropped."""
    return _is_listed(info, _NESTED_SUFFIXES)


def _raw_name_len(info: zipfile.ZipInfo) -> int:
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    return len(info.orig_filename.encode(encoding, "replace"))


def check_no_overlap(infos: list[zipfile.ZipInfo]) -> None:
    """Reject entries sharing bytes: the non-recursive zip bomb reuses one deflate stream."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for before, after in itertools.pairwise(ordered):
        end = before.header_offset + _LOCAL_HEADER_BYTES + _raw_name_len(before) + before.compress_size
        if after.header_offset < end:
            raise ArchiveRejectedError(
                f"entries {before.filename!r} and {after.filename!r} overlap",
                code=ErrorCode.ZIP_OVERLAPPING_ENTRIES,
            )


def list_members(zf: zipfile.ZipFile, limits: ZipLimits) -> ArchiveListing:
    """Classify the central directory; raise for whole-archive problems, never read a member."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRejectedError(
            f"{len(infos)} entries; the limit is {limits.max_entries}", code=ErrorCode.ZIP_TOO_MANY_ENTRIES
        )
    check_no_overlap(infos)
    members: list[ZipMember] = []
    skipped: list[str] = []
    for index, info in enumerate(infos):
        if not _is_listed(info, (".sql", *_NESTED_SUFFIXES)):
            if not info.is_dir():
                skipped.append(info.filename)
            continue
        if info.flag_bits & 0x1:
            raise ArchiveRejectedError(f"{info.filename!r} is encrypted", code=ErrorCode.ZIP_ENCRYPTED)
        name = info.filename.replace("\\", "/")[:MAX_NAME_CHARS]
        members.append(ZipMember(index=index, name=name, info=info, problem=_member_problem(info, limits)))
    if not members:
        raise ArchiveRejectedError("the archive contains no .sql files", code=ErrorCode.ZIP_EMPTY)
    declared = sum(m.info.file_size for m in members if m.problem is None)
    if declared > limits.max_total_bytes:
        raise ArchiveRejectedError(
            f".sql files declare {declared} bytes; the limit is {limits.max_total_bytes}",
            code=ErrorCode.ZIP_TOO_LARGE,
        )
    return ArchiveListing(members=tuple(members), skipped=tuple(skipped))


def _check_directory(fp: BinaryIO, size: int, limits: ZipLimits) -> None:
    declared = declared_directory(fp, size)
    if declared is None:
        return
    entries, cd_size = declared
    if entries > limits.max_entries or cd_size > limits.max_entries * MAX_RECORD_BYTES:
        raise ArchiveRejectedError(
            f"the directory declares {entries} entries in {cd_size} bytes; the limit is {limits.max_entries}",
            code=ErrorCode.ZIP_TOO_MANY_ENTRIES,
        )


@contextmanager
def open_archive(path: Path, limits: ZipLimits) -> Iterator[zipfile.ZipFile]:
    """Open an uploaded archive after checking its size and entry count; a non-ZIP is ``ZIP_CORRUPT``."""
    with path.open("rb") as fp:
        size = os.fstat(fp.fileno()).st_size
        if size > limits.max_archive_bytes:
            raise ArchiveRejectedError(
                f"archive is {size} bytes; the limit is {limits.max_archive_bytes}",
                code=ErrorCode.ZIP_TOO_LARGE,
            )
        _check_directory(fp, size, limits)
        try:
            zf = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
            raise ArchiveRejectedError(
                f"not a readable ZIP archive: {exc}", code=ErrorCode.ZIP_CORRUPT
            ) from exc
        with zf:
            yield zf


def validate_archive(path: Path, limits: ZipLimits) -> ArchiveListing:
    """The upload-time check: directory only, so a bad archive gets its 4xx before any work."""
    with open_archive(path, limits) as zf:
        return list_members(zf, limits)


def _check_read(member: ZipMember, read: int, limits: ZipLimits) -> None:
    if read > RATIO_GRACE_BYTES and read > limits.max_ratio * max(member.info.compress_size, 1):
        raise MemberRejectedError(
            f"{member.name!r} inflates more than {limits.max_ratio} times", code=ErrorCode.ZIP_BOMB
        )
    if read > limits.max_file_bytes:
        raise MemberRejectedError(
            f"{member.name!r} is larger than {limits.max_file_bytes} bytes", code=ErrorCode.FILE_TOO_LARGE
        )


def read_member(zf: zipfile.ZipFile, member: ZipMember, limits: ZipLimits, budget: ReadBudget) -> bytes:
    """Inflate one member, stopping at the first limit it crosses (bytes counted as produced)."""
    chunks: list[bytes] = []
    read = 0
    try:
        with zf.open(member.info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                read += len(chunk)
                budget.consume(len(chunk))
                _check_read(member, read, limits)
                chunks.append(chunk)
    except RuntimeError as exc:  # zipfile's "password required"
        raise ArchiveRejectedError(f"{member.name!r} is encrypted", code=ErrorCode.ZIP_ENCRYPTED) from exc
    except NotImplementedError as exc:
        raise MemberRejectedError(str(exc), code=ErrorCode.UNSUPPORTED_COMPRESSION) from exc
    except _CORRUPT_ERRORS as exc:
        raise ArchiveRejectedError(f"{member.name!r} is corrupt: {exc}", code=ErrorCode.ZIP_CORRUPT) from exc
    return b"".join(chunks)
