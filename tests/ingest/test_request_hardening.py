"""Hostile request bodies over a real socket get a 4xx, never a 5xx, and leave no staged file.

Too large: 413 before it is read whole; too slow: 408; nested too deeply or listing too many rules:
400.

The clients are raw sockets, so the body can be endless or trickle byte by byte, which aiohttp's own
client would not send.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.request_fields import MAX_RULES
from ingest.settings import IngestSettings

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
CHUNK = 64 * 1024
FORM_HEAD = (
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.sql"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
)


@pytest.fixture
async def served(settings: IngestSettings) -> AsyncIterator[Client]:
    quick = settings.model_copy(update={"body_read_timeout_s": 1.0})
    async with TestClient(TestServer(create_app(quick))) as client:
        yield client


def head(content_type: str, length: int | None = None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST /api/v1/jobs HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n{framing}\r\n\r\n"
    ).encode()


async def answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, dict[str, str]]]:
    """The status and JSON body of the server's answer on a raw connection."""
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return int(status_line.split()[1]), json.loads(await reader.readexactly(length))


async def endless(client: Client, start: bytes, chunk: bytes) -> tuple[int, dict[str, dict[str, str]], int]:
    """Send ``start`` then ``chunk`` forever, until the server answers; also the bytes it was sent."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    reply = asyncio.ensure_future(answer(reader))
    sent = 0
    try:
        writer.write(start)
        while not reply.done():
            writer.write(chunk)
            sent += len(chunk)
            await asyncio.wait([reply], timeout=0.001)
            await asyncio.wait_for(writer.drain(), 5)
    except (ConnectionError, TimeoutError):
        pass  # the server stopped reading and closed: its answer is already on the way
    status, body = await asyncio.wait_for(reply, 10)
    writer.close()
    return status, body, sent


def staged(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_an_endless_json_body_is_refused_413_after_its_limit_not_read_whole(served: Client) -> None:
    body_chunk = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)
    status, body, sent = await endless(served, head("application/json"), body_chunk)
    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert sent < 64 * 1024 * 1024, f"{sent} bytes went out before the 413"


async def test_a_declared_oversize_body_is_refused_on_its_header_alone(served: Client) -> None:
    reader, writer = await asyncio.open_connection(served.server.host, served.server.port)
    writer.write(head("application/json", 10**12) + b"{")
    status, body = await asyncio.wait_for(answer(reader), 10)
    writer.close()
    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")


async def test_an_endless_upload_is_refused_413_and_nothing_stays_staged(
    served: Client, storage_root: Path
) -> None:
    body_chunk = b"%x\r\n%s\r\n" % (CHUNK, b"-- x\n" * (CHUNK // 5) + b"-" * (CHUNK % 5))
    start = head("multipart/form-data; boundary=b") + b"%x\r\n%s\r\n" % (len(FORM_HEAD), FORM_HEAD)
    status, body, _ = await endless(served, start, body_chunk)
    assert (status, body["error"]["code"]) == (413, "FILE_TOO_LARGE")
    assert staged(storage_root) == []


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=b"])
async def test_a_trickling_client_gets_408_within_the_deadline(
    served: Client, storage_root: Path, content_type: str
) -> None:
    first = FORM_HEAD if content_type.startswith("multipart") else b'{"sql_content": "'
    reader, writer = await asyncio.open_connection(served.server.host, served.server.port)
    writer.write(head(content_type, 100_000) + first)
    reply = asyncio.ensure_future(answer(reader))
    started = time.monotonic()
    while not reply.done() and time.monotonic() - started < 10:
        writer.write(b"s")  # one byte every 50 ms: alive, never done
        await asyncio.wait([reply], timeout=0.05)
    status, body = await asyncio.wait_for(reply, 1)
    writer.close()
    assert (status, body["error"]["code"]) == (408, "REQUEST_TIMEOUT")
    assert 1.0 <= time.monotonic() - started < 3.0
    assert staged(storage_root) == []


NESTED = {
    "arrays": b"[" * 100_000 + b"]" * 100_000,
    "objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "arrays in a field": b'{"sql_content": "select 1", "rules": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


@pytest.mark.parametrize("case", list(NESTED))
async def test_deeply_nested_json_is_400(served: Client, case: str) -> None:
    resp = await served.post("/api/v1/jobs", data=NESTED[case], headers={"Content-Type": "application/json"})
    assert (resp.status, (await resp.json())["error"]["code"]) == (400, "INVALID_JSON")


@pytest.mark.parametrize("depth", [10, 500, 900])
@pytest.mark.parametrize("field", ["sql_content", "rules", "config", "file_name", "callback_url", "fix"])
async def test_nesting_the_parser_accepts_is_still_a_4xx_in_any_field(
    served: Client, field: str, depth: int
) -> None:
    nested: object = []
    for _ in range(depth):
        nested = [nested]
    body = {"sql_content": "select 1\n", field: nested}
    resp = await served.post("/api/v1/jobs", json=body)
    assert resp.status == 400, await resp.text()
    assert (await resp.json())["error"]["code"] in {"INVALID_REQUEST", "INVALID_RULES"}


@pytest.mark.parametrize(
    "rules",
    [
        ["LT01"] * (MAX_RULES + 1),
        ",".join(["LT01"] * 50_000),
        [f"LT{n:02d}" for n in range(20_000)],
    ],
    ids=["list", "comma text", "long list"],
)
async def test_a_rule_list_over_the_bound_is_400_invalid_rules(served: Client, rules: object) -> None:
    for field in ("rules", "exclude_rules"):
        resp = await served.post("/api/v1/jobs", json={"sql_content": "select 1\n", field: rules})
        body = await resp.json()
        assert (resp.status, body["error"]["code"]) == (400, "INVALID_RULES"), body
        assert str(MAX_RULES) in body["error"]["message"]


@pytest.mark.parametrize("as_text", [True, False], ids=["comma text", "list"])
async def test_a_rule_list_at_the_bound_is_accepted(served: Client, as_text: bool) -> None:
    rules = ["LT01", "CP01"] * (MAX_RULES // 2)
    body = {"sql_content": "select 1\n", "rules": ",".join(rules) if as_text else rules}
    resp = await served.post("/api/v1/jobs", json=body)
    assert resp.status == 202, await resp.text()


@pytest.mark.parametrize(
    "endless_part",
    [b"x" * CHUNK, b"preamble line\r\n" * (CHUNK // 15), b"X-Header: " + b"h" * CHUNK],
    ids=["preamble without line ends", "preamble lines", "one endless part header"],
)
async def test_an_endless_form_preamble_or_header_is_a_4xx_in_bounded_memory(
    served: Client, storage_root: Path, endless_part: bytes
) -> None:
    start = head("multipart/form-data; boundary=b")
    if endless_part.startswith(b"X-"):
        start += b"5\r\n--b\r\n\r\n"  # the opening boundary, then the part's endless header
    body_chunk = b"%x\r\n%s\r\n" % (len(endless_part), endless_part)
    status, body, _ = await endless(served, start, body_chunk)
    assert 400 <= status < 500, body
    assert staged(storage_root) == []
