"""Reading a POST body into a :class:`JobRequest`: JSON, or a form with a ``file`` part.

Bodies are read with explicit bounds: JSON in memory up to what a maximal SQL
text can take, a form's file streamed to the storage root against its own
limit (aiohttp's ``client_max_size`` does not cover a streamed multipart), and
the whole read within a deadline, so a client trickling bytes holds a
connection and a staged file for a bounded time only (408).
Whatever was staged is dropped again when the body turns out to be bad, and
a form aiohttp cannot parse is the client's fault (400), not ours.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from ingest.errors import RequestRejectedError
from ingest.request import OPTION_FIELDS, JobRequest, RequestLimits, Upload
from ingest.request_fields import upload_kind
from ingest.storage import CHUNK, Storage
from schemas.error_codes import ErrorCode
from schemas.statuses import SubmissionType

MAX_FIELD_BYTES = 128 * 1024
MAX_PARTS = 16
T = TypeVar("T")


async def read_request(request: web.Request, storage: Storage, limits: RequestLimits) -> JobRequest:
    """The submission in the body, whichever of the two forms it came in, read within its deadline.

    A body declared larger than ``INGEST_CLIENT_MAX_SIZE`` is refused on its
    header, before one byte of it is read or staged.
    """
    if (request.content_length or 0) > limits.max_body_bytes:
        raise RequestRejectedError(
            ErrorCode.PAYLOAD_TOO_LARGE, f"the body exceeds {limits.max_body_bytes} bytes"
        )
    try:
        async with asyncio.timeout(limits.body_read_timeout_s):
            return await _read_body(request, storage, limits)
    except TimeoutError:
        raise RequestRejectedError(
            ErrorCode.REQUEST_TIMEOUT, f"the body did not arrive within {limits.body_read_timeout_s:g} s"
        ) from None


async def _read_body(request: web.Request, storage: Storage, limits: RequestLimits) -> JobRequest:
    if request.content_type == "application/json":
        return await _read_json(request, limits)
    if request.content_type == "multipart/form-data":
        return await _read_form(request, storage, limits)
    raise RequestRejectedError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json or multipart/form-data"
    )


def json_limit(max_sql_bytes: int) -> int:
    """Room for the largest SQL text JSON-escaped (6 bytes per escaped character) plus options."""
    return 6 * max_sql_bytes + 2 * MAX_FIELD_BYTES


async def _bounded(stream: AsyncIterator[bytes], limit: int, what: str) -> bytes:
    data = bytearray()
    async for chunk in stream:
        data += chunk
        if len(data) > limit:
            raise RequestRejectedError(ErrorCode.PAYLOAD_TOO_LARGE, f"{what} exceeds {limit} bytes")
    return bytes(data)


async def _body_chunks(request: web.Request) -> AsyncIterator[bytes]:
    while chunk := await request.content.read(CHUNK):
        yield chunk


async def _parsed(step: Awaitable[T]) -> T:
    """One step of aiohttp's multipart parser, whose errors on a malformed form are ValueErrors."""
    try:
        return await step
    except (ValueError, HttpProcessingError) as exc:
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, f"the form is malformed: {exc}") from exc


async def _part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await _parsed(part.read_chunk(CHUNK)):
        yield chunk


async def _read_json(request: web.Request, limits: RequestLimits) -> JobRequest:
    limit = json_limit(limits.max_sql_bytes)
    if (request.content_length or 0) > limit:
        raise RequestRejectedError(ErrorCode.PAYLOAD_TOO_LARGE, f"the body exceeds {limit} bytes")
    raw = await _bounded(_body_chunks(request), limit, "the body")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise RequestRejectedError(ErrorCode.INVALID_JSON, "the body is not valid JSON") from exc
    return JobRequest.parse(body, limits)


async def _stage(part: BodyPartReader, storage: Storage, limits: RequestLimits) -> Upload:
    client_name = part.filename or ""
    zipped = upload_kind(client_name) is SubmissionType.ZIP_ARCHIVE
    cap = limits.max_archive_bytes if zipped else limits.max_sql_bytes
    return Upload(client_name, await storage.stage(_part_chunks(part), cap))


async def _field(part: BodyPartReader) -> str:
    raw = await _bounded(_part_chunks(part), MAX_FIELD_BYTES, f"field {part.name}")
    try:
        return raw.decode(part.get_charset("utf-8"))
    except (UnicodeDecodeError, LookupError) as exc:
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, f"field {part.name} is not text") from exc


async def _read_form(request: web.Request, storage: Storage, limits: RequestLimits) -> JobRequest:
    """A ``file`` part (.sql or .zip) plus the options as fields, each at most once."""
    fields: dict[str, str] = {}
    upload: Upload | None = None
    try:
        reader: MultipartReader = await _parsed(request.multipart())
        for _ in range(MAX_PARTS):
            part = await _parsed(reader.next())
            if part is None:
                return JobRequest.parse(fields, limits, upload)
            if not isinstance(part, BodyPartReader):
                raise RequestRejectedError(
                    ErrorCode.INVALID_REQUEST, "nested multipart bodies are not accepted"
                )
            if part.name == "file" and upload is None:
                upload = await _stage(part, storage, limits)
            elif part.name in OPTION_FIELDS and part.name not in fields:
                fields[part.name] = await _field(part)
            else:
                raise RequestRejectedError(
                    ErrorCode.INVALID_REQUEST, f"unexpected or repeated form field {part.name!r}"
                )
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, f"more than {MAX_PARTS} form parts")
    except BaseException:
        if upload is not None:
            await storage.drop(upload.staged)
        raise
