"""Every error code of the service, defined once: its HTTP status, where it appears, what it means.

Clients branch on codes, so a code is part of the public contract like an
event field: it is never renamed silently, and one failure has one code
wherever it surfaces (an HTTP answer, a FAILURE task, a rejected job, a dead
letter). ``docs/errors.md`` is generated from this table
(``python -m schemas.error_codes``) and a test keeps the two equal.
"""

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

Surface = Literal["http", "task", "job", "dead-letter", "service"]


class ErrorCode(StrEnum):
    """The machine-readable codes; the values are what travels on the wire."""

    # Requests (HTTP 4xx)
    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_JSON = "INVALID_JSON"
    INVALID_ID = "INVALID_ID"
    INVALID_PAGE = "INVALID_PAGE"
    INVALID_STATUS = "INVALID_STATUS"
    INVALID_RULES = "INVALID_RULES"
    UNKNOWN_DIALECT = "UNKNOWN_DIALECT"
    MISSING_SOURCE = "MISSING_SOURCE"
    AMBIGUOUS_SOURCE = "AMBIGUOUS_SOURCE"
    UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    SQL_TOO_LARGE = "SQL_TOO_LARGE"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_IN_FLIGHT = "IDEMPOTENCY_KEY_IN_FLIGHT"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    JOB_NOT_FOUND = "JOB_NOT_FOUND"
    JOB_NOT_FINISHED = "JOB_NOT_FINISHED"
    TASK_NOT_FOUND = "TASK_NOT_FOUND"
    TASK_NOT_FINISHED = "TASK_NOT_FINISHED"
    WORKER_NOT_FOUND = "WORKER_NOT_FOUND"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    # A tenant's limits (HTTP 429 with Retry-After; a task over its job's lint budget)
    RATE_LIMITED = "RATE_LIMITED"
    TOO_MANY_ACTIVE_JOBS = "TOO_MANY_ACTIVE_JOBS"
    DAILY_QUOTA_EXCEEDED = "DAILY_QUOTA_EXCEEDED"
    LINT_BUDGET_EXCEEDED = "LINT_BUDGET_EXCEEDED"
    INVALID_REPORT_FORMAT = "INVALID_REPORT_FORMAT"
    FIX_NOT_REQUESTED = "FIX_NOT_REQUESTED"
    UNSAFE_CALLBACK_URL = "UNSAFE_CALLBACK_URL"
    WEBHOOKS_DISABLED = "WEBHOOKS_DISABLED"
    # A job's lint configuration (HTTP 400, or a rejected job from an outside producer)
    INVALID_CONFIG = "INVALID_CONFIG"
    CONFIG_TOO_LARGE = "CONFIG_TOO_LARGE"
    FORBIDDEN_CONFIG_SECTION = "FORBIDDEN_CONFIG_SECTION"
    FORBIDDEN_CONFIG_KEY = "FORBIDDEN_CONFIG_KEY"
    FORBIDDEN_CONFIG_VALUE = "FORBIDDEN_CONFIG_VALUE"
    FORBIDDEN_INLINE_CONFIG = "FORBIDDEN_INLINE_CONFIG"
    # Paths and archives (HTTP 4xx at upload, or the job / one file at expansion)
    UNSAFE_PATH = "UNSAFE_PATH"
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    ZIP_CORRUPT = "ZIP_CORRUPT"
    ZIP_EMPTY = "ZIP_EMPTY"
    ZIP_ENCRYPTED = "ZIP_ENCRYPTED"
    ZIP_TOO_LARGE = "ZIP_TOO_LARGE"
    ZIP_TOO_MANY_ENTRIES = "ZIP_TOO_MANY_ENTRIES"
    ZIP_OVERLAPPING_ENTRIES = "ZIP_OVERLAPPING_ENTRIES"
    ZIP_BOMB = "ZIP_BOMB"
    SYMLINK = "SYMLINK"
    NESTED_ARCHIVE = "NESTED_ARCHIVE"
    UNSUPPORTED_COMPRESSION = "UNSUPPORTED_COMPRESSION"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    NOT_TEXT = "NOT_TEXT"
    # One file's lint
    LINT_TIMEOUT = "LINT_TIMEOUT"
    LINT_MEMORY = "LINT_MEMORY"
    LINT_CRASHED = "LINT_CRASHED"
    LINT_PARSER_PANIC = "LINT_PARSER_PANIC"
    LINT_RECURSION = "LINT_RECURSION"
    LINT_PARSE_LIMIT = "LINT_PARSE_LIMIT"
    LINT_ERROR = "LINT_ERROR"
    STORAGE_ERROR = "STORAGE_ERROR"
    EXPANSION_FAILED = "EXPANSION_FAILED"
    # Events that cannot be handled (dead letters, rejected jobs)
    UNDECODABLE_EVENT = "UNDECODABLE_EVENT"
    UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
    UNEXPECTED_EVENT_TYPE = "UNEXPECTED_EVENT_TYPE"
    INVALID_EVENT = "INVALID_EVENT"
    SINK_WRITE_REFUSED = "SINK_WRITE_REFUSED"
    TENANT_MISMATCH = "TENANT_MISMATCH"
    # The service's own dependencies (HTTP 5xx, retry later)
    KAFKA_UNAVAILABLE = "KAFKA_UNAVAILABLE"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    # Start-up and client-side
    UNKNOWN_SETTING = "UNKNOWN_SETTING"
    UNSUPPORTED_DATABASE = "UNSUPPORTED_DATABASE"
    TRANSPORT_ERROR = "TRANSPORT_ERROR"


@dataclass(frozen=True)
class ErrorSpec:
    """How a code is answered over HTTP (None: never an HTTP answer) and what it means."""

    status: int | None
    surfaces: tuple[Surface, ...]
    meaning: str


C = ErrorCode
_H, _T, _J, _D, _S = "http", "task", "job", "dead-letter", "service"
ERRORS: dict[ErrorCode, ErrorSpec] = {
    C.INVALID_REQUEST: ErrorSpec(400, (_H,), "The request is malformed: a field, part or header is wrong."),
    C.INVALID_JSON: ErrorSpec(400, (_H,), "The body is not valid JSON."),
    C.INVALID_ID: ErrorSpec(400, (_H,), "A job or task id in the path is not a UUID."),
    C.INVALID_PAGE: ErrorSpec(400, (_H,), "page or size is not an integer in range."),
    C.INVALID_STATUS: ErrorSpec(400, (_H,), "The status filter is not a job status."),
    C.INVALID_RULES: ErrorSpec(
        400, (_H,), "rules or exclude_rules is not a list of rule codes, or lists more than 200."
    ),
    C.UNKNOWN_DIALECT: ErrorSpec(400, (_H,), "SQLFluff has no such dialect."),
    C.MISSING_SOURCE: ErrorSpec(
        400, (_H,), "The request carries no SQL: no sql_content, file or zip_file_path."
    ),
    C.AMBIGUOUS_SOURCE: ErrorSpec(400, (_H,), "More than one of sql_content and zip_file_path was sent."),
    C.UNSUPPORTED_FILE_TYPE: ErrorSpec(400, (_H,), "Only .sql and .zip files are accepted."),
    C.UNSUPPORTED_MEDIA_TYPE: ErrorSpec(415, (_H,), "Send application/json or multipart/form-data."),
    C.PAYLOAD_TOO_LARGE: ErrorSpec(413, (_H,), "The body or a form field exceeds its limit."),
    C.REQUEST_TIMEOUT: ErrorSpec(
        408, (_H,), "The body did not arrive whole within INGEST_BODY_READ_TIMEOUT_S: sent too slowly."
    ),
    C.SQL_TOO_LARGE: ErrorSpec(413, (_H,), "The SQL text or .sql upload exceeds INGEST_MAX_SQL_BYTES."),
    C.INVALID_IDEMPOTENCY_KEY: ErrorSpec(400, (_H,), "Idempotency-Key is empty, too long or not printable."),
    C.IDEMPOTENCY_KEY_REUSED: ErrorSpec(422, (_H,), "The Idempotency-Key was used for a different request."),
    C.IDEMPOTENCY_KEY_IN_FLIGHT: ErrorSpec(
        409, (_H,), "A request with this Idempotency-Key is still being served: retry after Retry-After."
    ),
    C.NOT_FOUND: ErrorSpec(404, (_H,), "No such route."),
    C.METHOD_NOT_ALLOWED: ErrorSpec(405, (_H,), "The route exists but not for this method (see Allow)."),
    C.JOB_NOT_FOUND: ErrorSpec(404, (_H,), "No job with this id."),
    C.JOB_NOT_FINISHED: ErrorSpec(409, (_H,), "The job's results are asked for before it is final."),
    C.TASK_NOT_FOUND: ErrorSpec(404, (_H,), "No task with this id."),
    C.TASK_NOT_FINISHED: ErrorSpec(409, (_H,), "The task's result is asked for before it is final."),
    C.WORKER_NOT_FOUND: ErrorSpec(404, (_H,), "No live worker with this id (it never beat, or stopped)."),
    C.INVALID_REPORT_FORMAT: ErrorSpec(
        400, (_H,), "format is not a report format: json, sarif, junit, github, gitlab, checkstyle, human."
    ),
    C.FIX_NOT_REQUESTED: ErrorSpec(409, (_H,), "The task's job did not ask for fixes (\"fix\": true)."),
    C.UNSAFE_CALLBACK_URL: ErrorSpec(
        400,
        (_H,),
        "callback_url's host does not resolve, or resolves to a private, loopback, link-local, multicast, "
        "reserved or unspecified address (docs/webhooks.md).",
    ),
    C.WEBHOOKS_DISABLED: ErrorSpec(
        400, (_H,), "callback_url was sent but webhooks are off: WEBHOOK_SIGNING_KEY is not set."
    ),
    C.UNAUTHORIZED: ErrorSpec(
        401, (_H,), "No bearer token, or one that is unknown or revoked (Authorization: Bearer <API key>)."
    ),
    C.FORBIDDEN: ErrorSpec(403, (_H,), "The key's role may not do this (docs/security.md: the roles)."),
    C.RATE_LIMITED: ErrorSpec(
        429, (_H,), "The tenant sent more requests than its rate allows: retry after Retry-After."
    ),
    C.TOO_MANY_ACTIVE_JOBS: ErrorSpec(
        429, (_H,), "The tenant has as many unfinished jobs as it may: retry when one ends."
    ),
    C.DAILY_QUOTA_EXCEEDED: ErrorSpec(
        429, (_H,), "The tenant submitted as many bytes today (UTC) as it may: retry tomorrow."
    ),
    C.LINT_BUDGET_EXCEEDED: ErrorSpec(
        None, (_T,), "The job used up its tenant's lint-seconds per job before this file was linted."
    ),
    C.INVALID_CONFIG: ErrorSpec(400, (_H, _J), "The config is not a readable .sqlfluff INI text."),
    C.CONFIG_TOO_LARGE: ErrorSpec(400, (_H, _J), "The config is larger than 64 KiB."),
    C.FORBIDDEN_CONFIG_SECTION: ErrorSpec(
        400, (_H, _J), "The config names a section outside the allow-list."
    ),
    C.FORBIDDEN_CONFIG_KEY: ErrorSpec(400, (_H, _J), "The config sets a key outside the allow-list."),
    C.FORBIDDEN_CONFIG_VALUE: ErrorSpec(400, (_H, _J), "The config sets a value that could run code."),
    C.FORBIDDEN_INLINE_CONFIG: ErrorSpec(
        None,
        (_T,),
        "A `-- sqlfluff:` line in the file sets what the config allow-list refuses (its line and key named).",
    ),
    C.UNSAFE_PATH: ErrorSpec(
        400,
        (_H, _T),
        "A path escapes where it may point: a zip_file_path or archive member named with '..', "
        "an absolute path, a drive or a control character.",
    ),
    C.FILE_NOT_FOUND: ErrorSpec(
        404, (_H, _J), "The file named by zip_file_path is not in the tenant's import area (or a job's "
        "archive is gone).",
    ),
    C.ZIP_CORRUPT: ErrorSpec(400, (_H, _J), "The archive is not a readable ZIP, or a member is corrupt."),
    C.ZIP_EMPTY: ErrorSpec(400, (_H, _J), "The archive holds no .sql file."),
    C.ZIP_ENCRYPTED: ErrorSpec(400, (_H, _J), "A member is encrypted."),
    C.ZIP_TOO_LARGE: ErrorSpec(413, (_H, _J), "The archive, or what it inflates to, exceeds its limit."),
    C.ZIP_TOO_MANY_ENTRIES: ErrorSpec(400, (_H, _J), "The archive has more entries than allowed."),
    C.ZIP_OVERLAPPING_ENTRIES: ErrorSpec(400, (_H, _J), "Members share bytes (a non-recursive zip bomb)."),
    C.ZIP_BOMB: ErrorSpec(None, (_T,), "The member inflates more than the allowed ratio."),
    C.SYMLINK: ErrorSpec(None, (_T,), "The member is a symbolic link."),
    C.NESTED_ARCHIVE: ErrorSpec(
        None, (_T,), "The member is an archive; archives inside archives are not opened."
    ),
    C.UNSUPPORTED_COMPRESSION: ErrorSpec(None, (_T,), "The member uses a compression method we do not read."),
    C.FILE_TOO_LARGE: ErrorSpec(
        413,
        (_H, _T),
        "A file exceeds its limit: an upload over its size (413), or a file of a job over the "
        "per-file limit (a FAILURE task: reported, never skipped).",
    ),
    C.NOT_TEXT: ErrorSpec(None, (_T,), "The file is not text (NUL bytes, or not decodable)."),
    C.LINT_TIMEOUT: ErrorSpec(
        None, (_T,), "Linting the file took longer than PROCESSORS_LINT_TIMEOUT_SECONDS."
    ),
    C.LINT_MEMORY: ErrorSpec(None, (_T,), "Linting the file needed more than PROCESSORS_LINT_MEMORY_MB."),
    C.LINT_CRASHED: ErrorSpec(None, (_T,), "The lint process died while linting the file."),
    C.LINT_PARSER_PANIC: ErrorSpec(None, (_T,), "SQLFluff's Rust parser panicked on the file."),
    C.LINT_RECURSION: ErrorSpec(None, (_T,), "The file is nested too deeply for SQLFluff's parser."),
    C.LINT_PARSE_LIMIT: ErrorSpec(
        None,
        (_T,),
        "The file is nested deeper than the parser's depth limit, which the service sets (docs/security.md).",
    ),
    C.LINT_ERROR: ErrorSpec(None, (_T,), "SQLFluff raised an unexpected error on the file."),
    C.STORAGE_ERROR: ErrorSpec(None, (_T,), "The file could not be read from the storage root."),
    C.EXPANSION_FAILED: ErrorSpec(
        None, (_J,), "The job could not be split into files for an unexpected reason."
    ),
    C.UNDECODABLE_EVENT: ErrorSpec(None, (_D, _J), "A message is not a JSON object."),
    C.UNKNOWN_EVENT_TYPE: ErrorSpec(
        None, (_D, _J), "A message names an event type or version we do not know."
    ),
    C.UNEXPECTED_EVENT_TYPE: ErrorSpec(
        None, (_D, _J), "A known event arrived on a topic that does not carry it."
    ),
    C.INVALID_EVENT: ErrorSpec(None, (_D, _J), "A message fails its event's schema."),
    C.SINK_WRITE_REFUSED: ErrorSpec(None, (_D,), "The database refused an event's rows for their data."),
    C.TENANT_MISMATCH: ErrorSpec(None, (_D, _J), "A job on a tenant's jobs topic names another tenant."),
    C.KAFKA_UNAVAILABLE: ErrorSpec(
        503, (_H, _S), "Kafka did not acknowledge in time: retry after Retry-After."
    ),
    C.DATABASE_UNAVAILABLE: ErrorSpec(
        503, (_H, _S), "The job database did not answer: retry after Retry-After."
    ),
    C.STORAGE_UNAVAILABLE: ErrorSpec(503, (_H, _S), "The storage root is not a writable folder."),
    C.INTERNAL_ERROR: ErrorSpec(500, (_H,), "A bug: the answer carries no detail, the log does."),
    C.UNKNOWN_SETTING: ErrorSpec(None, (_S,), "The environment names a setting the service does not have."),
    C.UNSUPPORTED_DATABASE: ErrorSpec(None, (_S,), "DATABASE_URL names a database the sink cannot write."),
    C.TRANSPORT_ERROR: ErrorSpec(None, (_S,), "The sqllint client could not reach the service."),
}


def http_status(code: str, default: int = 400) -> int:
    """The HTTP status a code is answered with; ``default`` for codes that are not HTTP answers."""
    spec = ERRORS.get(ErrorCode(code)) if code in ErrorCode.__members__ else None
    if spec is None or spec.status is None:
        return default
    return spec.status


def render_markdown() -> str:
    """``docs/errors.md``: the table clients and operators look codes up in."""
    lines = [
        "# Error codes",
        "",
        "Generated from `schemas/error_codes.py` (`python -m schemas.error_codes`); a test keeps it current.",
        'Every error body is `{"error": {"code": ..., "message": ...}}`; a FAILURE task or a rejected',
        "job carries the same `{code, message}`. Where: http = an API answer, task = one file's result,",
        "job = a rejected job, dead-letter = the dead-letter topic, service = logs and exit status.",
        "",
        "| code | HTTP | where | meaning |",
        "|---|---|---|---|",
    ]
    for code, spec in ERRORS.items():
        status = str(spec.status) if spec.status is not None else "-"
        lines.append(f"| `{code}` | {status} | {', '.join(spec.surfaces)} | {spec.meaning} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write ``docs/errors.md`` (run from the repository root)."""
    target = Path("docs/errors.md")
    target.write_text(render_markdown(), encoding="utf-8")
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
