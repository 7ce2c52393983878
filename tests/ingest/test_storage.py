"""Uploads stream to disk, then into their job; file names are made harmless (paths: test_storage_imports)."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ingest.errors import RequestRejectedError
from ingest.storage import Storage, safe_file_name
from schemas.error_codes import http_status


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage(tmp_path / "root")


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
