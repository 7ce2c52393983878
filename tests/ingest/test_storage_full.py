"""A full storage root is the service's failure: 503 with Retry-After, never a 500, nothing left behind.

The root is a real 256 KiB tmpfs, so the writes fail with the kernel's own ENOSPC.
"""

import asyncio
import io
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient

Client = TestClient[web.Request, web.Application]
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def storage_root(tmp_path: Path) -> Iterator[Path]:
    """Overrides the ingest fixtures' root with a tiny filesystem of its own."""
    root = tmp_path / "tiny"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(root)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield root
    finally:
        subprocess.run(["umount", str(root)], check=True)


def _files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _incompressible_zip(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.sql", b"-- " + bytes(range(256)) * (size // 256))
    return buffer.getvalue()


async def test_an_upload_that_fills_the_disk_is_a_503_and_leaves_nothing(
    client: Client, storage_root: Path
) -> None:
    form = FormData()
    form.add_field("file", _incompressible_zip(512 * 1024), filename="big.zip")
    resp = await client.post("/api/v1/jobs", data=form)
    body = await resp.json()
    assert (resp.status, body["error"]["code"]) == (503, "STORAGE_UNAVAILABLE")
    assert int(resp.headers["Retry-After"]) > 0
    assert not await asyncio.to_thread(_files_under, storage_root)


async def test_a_large_text_on_a_full_disk_is_a_503(client: Client, storage_root: Path) -> None:
    filler = storage_root / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError):  # ENOSPC: the tmpfs is full
            while True:
                os.write(fd, b"\0" * 65536)
    finally:
        os.close(fd)
    resp = await client.post("/api/v1/jobs", json={"sql_content": "select 1;\n" * 400})
    assert (resp.status, (await resp.json())["error"]["code"]) == (503, "STORAGE_UNAVAILABLE")
    filler.unlink()
    resp = await client.post("/api/v1/jobs", json={"sql_content": "select 1;\n" * 400})
    assert resp.status == 202  # the same request, once there is room again
