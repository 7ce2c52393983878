"""Every kind of bad submission gets its status and code, and publishes nothing."""

import os
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import ClientResponse, FormData, web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.settings import IngestSettings
from schemas.events import DEFAULT_TENANT
from tests.ingest.conftest import make_zip, topic_events

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
Send = Callable[[Client, Path], Awaitable[ClientResponse]]


def post_json(body: object) -> Send:
    async def send(client: Client, _root: Path) -> ClientResponse:
        return await client.post("/api/v1/jobs", json=body)

    return send


def post_raw(data: bytes, content_type: str) -> Send:
    async def send(client: Client, _root: Path) -> ClientResponse:
        return await client.post("/api/v1/jobs", data=data, headers={"Content-Type": content_type})

    return send


def upload(name: str, content: bytes | Callable[[Path], bytes], **fields: str) -> Send:
    async def send(client: Client, root: Path) -> ClientResponse:
        form = FormData()
        for key, value in fields.items():
            form.add_field(key, value)
        data = content(root) if callable(content) else content
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
        return await client.post("/api/v1/jobs", data=form)

    return send


def in_import_area(prepare: Callable[[Path], object], send: Send) -> Send:
    """``prepare`` gets the default tenant's import area, which ``zip_file_path`` is relative to."""

    async def wrapped(client: Client, root: Path) -> ClientResponse:
        area = root / "imports" / DEFAULT_TENANT
        area.mkdir(parents=True, exist_ok=True)
        prepare(area)
        return await send(client, root)

    return wrapped


def outside_symlink(area: Path) -> None:
    outside = make_zip(area.parent.parent.parent / "outside.zip", {"a.sql": "select 1\n"})
    os.symlink(outside, area / "link.zip")


def encrypted_zip(root: Path) -> bytes:
    path = make_zip(root.parent / "enc.zip", {"a.sql": "select 1\n"})
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag bit in the local and central headers (what zipfile checks).
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flag_offset] |= 0x1
    return bytes(data)


def too_many_entries(root: Path) -> bytes:
    path = root.parent / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(12):
            zf.writestr(f"f{i}.sql", "select 1\n")
    return path.read_bytes()


CASES: dict[str, tuple[Send, int, str]] = {
    "invalid json": (post_raw(b"{not json", "application/json"), 400, "INVALID_JSON"),
    "not an object": (post_json(["select 1"]), 400, "INVALID_REQUEST"),
    "unknown field": (post_json({"sql_content": "select 1", "dialekt": "x"}), 400, "INVALID_REQUEST"),
    "missing source": (post_json({"dialect": "ansi"}), 400, "MISSING_SOURCE"),
    "both sources": (
        post_json({"sql_content": "select 1", "zip_file_path": "a.zip"}),
        400,
        "AMBIGUOUS_SOURCE",
    ),
    "unknown dialect": (post_json({"sql_content": "select 1", "dialect": "cobol"}), 400, "UNKNOWN_DIALECT"),
    "bad rule code": (
        post_json({"sql_content": "select 1", "rules": "LT01,DROP TABLE"}),
        400,
        "INVALID_RULES",
    ),
    "forbidden config key": (
        post_json({"sql_content": "select 1", "config": "[sqlfluff]\nlibrary_path = /tmp\n"}),
        400,
        "FORBIDDEN_CONFIG_KEY",
    ),
    "forbidden templater": (
        post_json({"sql_content": "select 1", "config": "[sqlfluff]\ntemplater = python\n"}),
        400,
        "FORBIDDEN_CONFIG_VALUE",
    ),
    "path with ..": (post_json({"zip_file_path": "../outside.zip"}), 400, "UNSAFE_PATH"),
    "absolute path": (post_json({"zip_file_path": "/etc/passwd"}), 400, "UNSAFE_PATH"),
    "symlink escape": (
        in_import_area(outside_symlink, post_json({"zip_file_path": "link.zip"})),
        404,
        "FILE_NOT_FOUND",
    ),
    "missing file": (post_json({"zip_file_path": "nope/none.zip"}), 404, "FILE_NOT_FOUND"),
    "path not a zip": (
        in_import_area(lambda a: (a / "a.txt").write_text("x"), post_json({"zip_file_path": "a.txt"})),
        400,
        "UNSUPPORTED_FILE_TYPE",
    ),
    "corrupt zip upload": (upload("bad.zip", b"PK\x03\x04 this is not a zip"), 400, "ZIP_CORRUPT"),
    "corrupt zip path": (
        in_import_area(
            lambda a: (a / "bad.zip").write_bytes(b"garbage"), post_json({"zip_file_path": "bad.zip"})
        ),
        400,
        "ZIP_CORRUPT",
    ),
    "encrypted zip": (upload("enc.zip", encrypted_zip), 400, "ZIP_ENCRYPTED"),
    "too many entries": (upload("many.zip", too_many_entries), 400, "ZIP_TOO_MANY_ENTRIES"),
    "zip without sql": (
        upload("empty.zip", lambda r: make_zip(r.parent / "e.zip", {"readme.md": "hi"}).read_bytes()),
        400,
        "ZIP_EMPTY",
    ),
    "wrong file type": (upload("notes.txt", b"select 1"), 400, "UNSUPPORTED_FILE_TYPE"),
    "no file field": (
        post_raw(
            b'--b\r\nContent-Disposition: form-data; name="dialect"\r\n\r\nansi\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
        400,
        "MISSING_SOURCE",
    ),
    "bad option in form": (upload("a.sql", b"select 1\n", dialect="nope"), 400, "UNKNOWN_DIALECT"),
    "oversize json sql": (post_json({"sql_content": "x" * (64 * 1024 + 1)}), 413, "SQL_TOO_LARGE"),
    "oversize sql upload": (upload("a.sql", b"x" * (64 * 1024 + 1)), 413, "FILE_TOO_LARGE"),
    "oversize zip upload": (upload("a.zip", b"x" * 4097), 413, "FILE_TOO_LARGE"),
    "wrong content type": (post_raw(b"select 1", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"),
    # Inputs that once answered 500: aiohttp's or Python's own errors, now the client's 4xx.
    "form without boundary": (post_raw(b"x", "multipart/form-data"), 400, "INVALID_REQUEST"),
    "truncated form": (
        post_raw(
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.sql"\r\n\r\nselect 1',
            "multipart/form-data; boundary=b",
        ),
        400,
        "INVALID_REQUEST",
    ),
    "deeply nested json": (post_raw(b"[" * 50000 + b"]" * 50000, "application/json"), 400, "INVALID_JSON"),
    "lone surrogate": (post_raw(b'{"sql_content": "\\ud800"}', "application/json"), 400, "INVALID_REQUEST"),
    "path too long": (post_json({"zip_file_path": "a" * 5000 + ".zip"}), 404, "FILE_NOT_FOUND"),
    "upload name too long": (upload("n" * 1100 + ".sql", b"select 1\n"), 400, "INVALID_REQUEST"),
}


@pytest.fixture
def strict_settings(settings: IngestSettings) -> IngestSettings:
    limits = settings.zip_limits.model_copy(update={"max_entries": 10, "max_archive_bytes": 4096})
    return settings.model_copy(update={"zip_limits": limits})


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_request(
    case: str, strict_settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    send, status, code = CASES[case]
    root = strict_settings.nfs_share_root_path
    async with TestClient(TestServer(create_app(strict_settings))) as client:
        resp = await send(client, root)
        body = await resp.json()
    assert resp.status == status, body
    assert body == {"error": {"code": code, "message": body["error"]["message"]}}
    assert body["error"]["message"]
    assert topic_events(kafka_bootstrap, strict_settings.topics.jobs, unique_id) == []
    for folder in (root / "jobs", root / "incoming"):
        assert not folder.exists() or list(folder.iterdir()) == []
