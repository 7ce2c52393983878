"""Reading a POST body into a draft: JSON, or a multipart form with a ``file``.

Bodies are read with explicit bounds: JSON in memory up to what a maximal SQL
text can take, an upload streamed straight to storage against its own limit
(aiohttp's ``client_max_size`` does not cover a streamed multipart).
"""

import json
from collections.abc import AsyncIterator
from uuid import UUID

from aiohttp import BodyPartReader, web

from ingest.errors import RequestRejectedError
from ingest.intake import Draft, Intake
from ingest.storage import CHUNK, SavedFile, safe_file_name
from ingest.submissions import (
    OPTION_FIELDS,
    fingerprint,
    parse_file_name,
    parse_json_submission,
    parse_options,
    upload_kind,
)
from schemas.statuses import SubmissionType

MAX_FIELD_BYTES = 128 * 1024
MAX_PARTS = 16


def json_limit(max_sql_bytes: int) -> int:
    """Room for the largest SQL text JSON-escaped (6 bytes per escaped character) plus options."""
    return 6 * max_sql_bytes + 2 * MAX_FIELD_BYTES


async def _bounded(stream: AsyncIterator[bytes], limit: int, what: str) -> bytes:
    data = bytearray()
    async for chunk in stream:
        data += chunk
        if len(data) > limit:
            raise RequestRejectedError("PAYLOAD_TOO_LARGE", f"{what} exceeds {limit} bytes", 413)
    return bytes(data)


async def _body_chunks(request: web.Request) -> AsyncIterator[bytes]:
    while chunk := await request.content.read(CHUNK):
        yield chunk


async def _part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        yield chunk


async def read_json(request: web.Request, intake: Intake, dialects: frozenset[str]) -> Draft:
    """A JSON submission: inline SQL or a ZIP path under the storage root."""
    limit = json_limit(intake.settings.max_sql_bytes)
    if (request.content_length or 0) > limit:
        raise RequestRejectedError("PAYLOAD_TOO_LARGE", f"the body exceeds {limit} bytes", 413)
    raw = await _bounded(_body_chunks(request), limit, "the body")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestRejectedError("INVALID_JSON", "the body is not valid JSON") from exc
    sub = parse_json_submission(body, dialects, intake.settings.max_sql_bytes)
    kind = SubmissionType.SINGLE_FILE if sub.sql_content is not None else SubmissionType.ZIP_ARCHIVE
    return Draft(
        fingerprint=fingerprint({"json": body}),
        kind=kind,
        options=sub.options,
        file_name=sub.file_name,
        sql_content=sub.sql_content,
        zip_file_path=sub.zip_file_path,
    )


async def _save_part(part: BodyPartReader, intake: Intake, job_id: UUID) -> tuple[str, SavedFile]:
    client_name = part.filename or ""
    kind = upload_kind(client_name)
    limits = intake.settings
    if kind is SubmissionType.ZIP_ARCHIVE:
        cap, default = limits.zip_limits.max_archive_bytes, "upload.zip"
    else:
        cap, default = limits.max_sql_bytes, "upload.sql"
    name = safe_file_name(client_name, default)
    saved = await intake.storage.save_stream(str(job_id), name, _part_chunks(part), cap)
    return client_name, saved


async def read_multipart(
    request: web.Request, intake: Intake, dialects: frozenset[str], job_id: UUID
) -> Draft:
    """A form upload: a ``file`` part (.sql or .zip) plus the options as fields."""
    fields: dict[str, object] = {}
    upload: tuple[str, SavedFile] | None = None
    reader = await request.multipart()
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            raise RequestRejectedError("INVALID_REQUEST", "nested multipart bodies are not accepted")
        if part.name == "file" and upload is None:
            upload = await _save_part(part, intake, job_id)
        elif part.name in OPTION_FIELDS and part.name not in fields:
            raw = await _bounded(_part_chunks(part), MAX_FIELD_BYTES, f"field {part.name}")
            try:
                fields[part.name] = raw.decode(part.get_charset("utf-8"))
            except (UnicodeDecodeError, LookupError) as exc:
                raise RequestRejectedError("INVALID_REQUEST", f"field {part.name} is not text") from exc
        else:
            raise RequestRejectedError("INVALID_REQUEST", f"unexpected or repeated form field {part.name!r}")
    else:
        raise RequestRejectedError("INVALID_REQUEST", f"more than {MAX_PARTS} form parts")
    if upload is None:
        raise RequestRejectedError("MISSING_SOURCE", "the form has no file field")
    client_name, saved = upload
    options = parse_options(fields, dialects)
    file_name = parse_file_name(fields) or client_name
    return Draft(
        fingerprint=fingerprint({"form": fields, "file": client_name, "sha256": saved.sha256}),
        kind=upload_kind(client_name),
        options=options,
        file_name=file_name,
        upload=saved,
    )
