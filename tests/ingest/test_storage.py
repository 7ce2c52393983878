"""Paths a client names stay under the storage root; uploads stream to disk, then into their job."""

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ingest.errors import RequestRejectedError
from ingest.storage import Storage, safe_file_name
from schemas.error_codes import http_status


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
    return info.value.code, http_status(info.value.code)


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
    assert code_of(storage, "n" * 5000 + ".zip") == ("FILE_NOT_FOUND", 404)


async def test_locate_gives_the_event_form(storage: Storage) -> None:
    assert await storage.locate("./in//deep/a.zip", (".zip",), "default") == "in/deep/a.zip"


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


async def test_stage_writes_and_digests_then_the_job_adopts_it(storage: Storage) -> None:
    staged = await storage.stage(_chunks(b"select ", b"1\n"), max_bytes=9)
    assert staged.path.startswith("incoming/")
    assert (staged.size, staged.sha256) == (9, hashlib.sha256(b"select 1\n").hexdigest())
    job_id = uuid.uuid4()
    path = await storage.adopt(staged, job_id, "a.sql")
    assert path == f"jobs/{job_id}/a.sql"
    assert (storage.root / path).read_bytes() == b"select 1\n"
    await storage.drop(staged)  # the job's now: dropping the staged name is a no-op
    assert list((storage.root / "incoming").iterdir()) == []
    assert (storage.root / path).exists()


async def test_stage_stops_at_the_limit_and_leaves_nothing(storage: Storage) -> None:
    with pytest.raises(RequestRejectedError) as info:
        await storage.stage(_chunks(b"12345", b"67890"), max_bytes=9)
    assert (info.value.code, http_status(info.value.code)) == ("FILE_TOO_LARGE", 413)
    assert list((storage.root / "incoming").iterdir()) == []


async def test_text_and_discard(storage: Storage) -> None:
    job_id = uuid.uuid4()
    path = await storage.save_text(job_id, "query.sql", "select é\n")
    assert (storage.root / path).read_text(encoding="utf-8") == "select é\n"
    await storage.discard(job_id)
    assert not storage.job_dir(job_id).exists()
