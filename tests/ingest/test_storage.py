"""Paths a client names stay under the storage root; uploads stream to disk."""

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ingest.errors import RequestRejectedError
from ingest.recent import RecentJobs
from ingest.storage import Storage, safe_file_name
from schemas.events import JobSubmitted
from schemas.statuses import SubmissionType


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    root = tmp_path / "root"
    (root / "in" / "deep").mkdir(parents=True)
    (root / "in" / "deep" / "a.zip").write_bytes(b"zip")
    (root / "in" / "a.sql").write_text("select 1")
    (tmp_path / "secret.zip").write_bytes(b"secret")
    os.symlink(tmp_path / "secret.zip", root / "in" / "escape.zip")
    os.symlink(tmp_path, root / "up")
    os.symlink(root / "in" / "deep" / "a.zip", root / "inside.zip")
    return Storage(root)


def code_of(storage: Storage, path: str) -> tuple[str, int]:
    with pytest.raises(RequestRejectedError) as info:
        storage.resolve_user_path(path, (".zip",))
    return info.value.code, info.value.status


def test_resolves_inside_the_root(storage: Storage) -> None:
    resolved = storage.resolve_user_path("in/deep/a.zip", (".zip",))
    assert resolved == storage.root / "in" / "deep" / "a.zip"
    assert storage.relative(resolved) == "in/deep/a.zip"
    assert storage.resolve_user_path("./in//deep/a.zip", (".zip",)) == resolved
    assert storage.resolve_user_path("inside.zip", (".zip",)) == resolved


@pytest.mark.parametrize(
    "path",
    [
        "../secret.zip",
        "in/../../secret.zip",
        "in\\..\\..\\secret.zip",
        "/etc/passwd",
        "C:/x.zip",
        "",
        "a\x00.zip",
    ],
)
def test_escapes_are_refused(storage: Storage, path: str) -> None:
    assert code_of(storage, path) == ("UNSAFE_PATH", 400)


@pytest.mark.parametrize("path", ["in/escape.zip", "up/secret.zip"])
def test_symlink_escapes_are_refused(storage: Storage, path: str) -> None:
    assert code_of(storage, path) == ("UNSAFE_PATH", 400)


def test_missing_and_wrong_type(storage: Storage) -> None:
    assert code_of(storage, "in/none.zip") == ("FILE_NOT_FOUND", 404)
    assert code_of(storage, "in/a.sql") == ("UNSUPPORTED_FILE_TYPE", 400)
    assert code_of(storage, "in/deep") == ("UNSUPPORTED_FILE_TYPE", 400)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.sql", "report.sql"),
        ("../../etc/x.sql", "x.sql"),
        ("C:\\a b\\q.zip", "q.zip"),
        ("..", "d.sql"),
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name, "d.sql") == safe


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_save_stream_writes_and_digests(storage: Storage) -> None:
    saved = await storage.save_stream("j1", "a.sql", _chunks(b"select ", b"1\n"), max_bytes=9)
    assert saved.storage_path == "jobs/j1/a.sql"
    assert (storage.root / saved.storage_path).read_bytes() == b"select 1\n"
    assert (saved.size, saved.sha256) == (9, hashlib.sha256(b"select 1\n").hexdigest())


async def test_save_stream_stops_at_the_limit(storage: Storage) -> None:
    with pytest.raises(RequestRejectedError) as info:
        await storage.save_stream("j2", "a.sql", _chunks(b"12345", b"67890"), max_bytes=9)
    assert (info.value.code, info.value.status) == ("FILE_TOO_LARGE", 413)
    await storage.discard("j2")
    assert not storage.job_dir("j2").exists()


def test_recent_jobs_forget_the_oldest() -> None:
    recent = RecentJobs(2)
    events = [
        JobSubmitted(
            job_id=f"00000000-0000-0000-0000-00000000000{i}",
            submission_type=SubmissionType.SINGLE_FILE,
            sql_content="x",
        )
        for i in range(3)
    ]
    for event in events:
        recent.remember(event)
    assert [recent.get(str(e.job_id)) for e in events] == [None, events[1], events[2]]
