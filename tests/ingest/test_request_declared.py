"""A body declared over its limit is refused on the header, promptly, before any of it is read.

The client is a raw socket that sends the request head with a too-large
``Content-Length`` and then stalls without sending a byte of the body. The
body deadline is set far away (60 s), so an answer within a second can only
be the refusal of the declared length, never a 408 or a body read to its end.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.reading import json_limit
from ingest.settings import IngestSettings
from tests.ingest.test_request_hardening import answer, head, staged

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
MIB = 1024 * 1024


@pytest.fixture
async def patient(settings: IngestSettings) -> AsyncIterator[Client]:
    """An app that would wait a minute for a body, and takes at most 4 MiB of one."""
    slow = settings.model_copy(update={"body_read_timeout_s": 60.0, "client_max_size": 4 * MIB})
    async with TestClient(TestServer(create_app(slow))) as client:
        yield client


async def declare_and_stall(client: Client, content_type: str, length: int) -> tuple[int, str, float]:
    """Send only the head, then nothing: the status, code and seconds until the server answered."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    started = time.monotonic()
    try:
        writer.write(head(content_type, length))
        await writer.drain()
        status, body = await asyncio.wait_for(answer(reader), 10)
    finally:
        writer.close()
    return status, body["error"]["code"], time.monotonic() - started


@pytest.mark.parametrize(
    ("content_type", "length"),
    [
        ("application/json", None),  # just over the JSON limit (6 x INGEST_MAX_SQL_BYTES + room)
        ("multipart/form-data; boundary=b", 4 * MIB + 1),  # just over INGEST_CLIENT_MAX_SIZE
        ("application/json", 10**15),
        ("multipart/form-data; boundary=b", 10**15),
    ],
)
async def test_a_declared_oversize_body_gets_413_promptly_while_the_client_stalls(
    patient: Client, settings: IngestSettings, storage_root: Path, content_type: str, length: int | None
) -> None:
    declared = length if length is not None else json_limit(settings.max_sql_bytes) + 1
    status, code, took = await declare_and_stall(patient, content_type, declared)
    assert (status, code) == (413, "PAYLOAD_TOO_LARGE")
    assert took < 1.0, f"the 413 took {took:.2f} s"
    assert staged(storage_root) == []


async def test_a_form_declared_within_the_limit_is_waited_for(patient: Client) -> None:
    """The control: the same stall with an acceptable length is not refused on the header."""
    reader, writer = await asyncio.open_connection(patient.server.host, patient.server.port)
    try:
        writer.write(head("multipart/form-data; boundary=b", 4 * MIB))
        await writer.drain()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.readline(), 1.5)
    finally:
        writer.close()
