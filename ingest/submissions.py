"""Turning a client's request into a validated job, without any I/O.

Everything a client can get wrong is caught here, before anything is written
or published, and reported as a :class:`RequestRejectedError` whose code the
client can branch on. The same option names serve JSON bodies and form fields.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

import sqlfluff

from ingest.errors import RequestRejectedError
from policy.lint_config import ConfigRejectedError, parse_lint_config
from schemas.events import JobSubmitted, LintOptions
from schemas.statuses import SubmissionType

OPTION_FIELDS = frozenset({"file_name", "dialect", "rules", "exclude_rules", "config"})
SOURCE_FIELDS = frozenset({"sql_content", "zip_file_path"})
_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,63}$")
MAX_FILE_NAME = 1024


@dataclass(frozen=True)
class Submission:
    """A JSON request after validation: one source plus the lint options."""

    sql_content: str | None
    zip_file_path: str | None
    file_name: str | None
    options: LintOptions


def load_dialects() -> frozenset[str]:
    """The dialect labels SQLFluff knows; read once at start, it never changes."""
    return frozenset(d.label for d in sqlfluff.list_dialects())


def _text(fields: Mapping[str, object], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RequestRejectedError("INVALID_REQUEST", f"{key} must be a string")
    return value


def _rules(fields: Mapping[str, object], key: str) -> tuple[str, ...] | None:
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise RequestRejectedError("INVALID_RULES", f"{key} must be comma-separated rule codes")
    codes = tuple(dict.fromkeys(item for item in items if item))
    bad = [code for code in codes if not _RULE.match(code)]
    if bad:
        raise RequestRejectedError("INVALID_RULES", f"{key}: not a rule code: {bad[0][:80]!r}")
    return codes or None


def parse_options(fields: Mapping[str, object], dialects: frozenset[str]) -> LintOptions:
    """The lint options of a request; dialect, rule codes and config are checked."""
    dialect = (_text(fields, "dialect") or "ansi").strip().lower()
    if dialect not in dialects:
        raise RequestRejectedError("UNKNOWN_DIALECT", f"unknown dialect {dialect[:64]!r}")
    config = _text(fields, "config")
    if config is not None:
        try:
            parse_lint_config(config)
        except ConfigRejectedError as exc:
            raise RequestRejectedError(exc.code, exc.message) from exc
    return LintOptions(
        dialect=dialect,
        rules=_rules(fields, "rules"),
        exclude_rules=_rules(fields, "exclude_rules"),
        config=config or None,
    )


def parse_file_name(fields: Mapping[str, object]) -> str | None:
    """The client's name for its file, shown back in results."""
    name = _text(fields, "file_name")
    if name is not None and not 0 < len(name) <= MAX_FILE_NAME:
        raise RequestRejectedError("INVALID_REQUEST", f"file_name must have 1 to {MAX_FILE_NAME} characters")
    return name


def parse_json_submission(body: object, dialects: frozenset[str], max_sql_bytes: int) -> Submission:
    """Validate a JSON body: exactly one source, known keys only."""
    if not isinstance(body, dict):
        raise RequestRejectedError("INVALID_REQUEST", "the body must be a JSON object")
    unknown = sorted(set(body) - OPTION_FIELDS - SOURCE_FIELDS)
    if unknown:
        raise RequestRejectedError("INVALID_REQUEST", f"unknown field {unknown[0][:64]!r}")
    sql, zip_path = _text(body, "sql_content"), _text(body, "zip_file_path")
    if sql is None and zip_path is None:
        raise RequestRejectedError("MISSING_SOURCE", "send sql_content, zip_file_path or a file upload")
    if sql is not None and zip_path is not None:
        raise RequestRejectedError("AMBIGUOUS_SOURCE", "send only one of sql_content and zip_file_path")
    if sql is not None and len(sql.encode()) > max_sql_bytes:
        raise RequestRejectedError("SQL_TOO_LARGE", f"sql_content exceeds {max_sql_bytes} bytes", 413)
    return Submission(sql, zip_path, parse_file_name(body), parse_options(body, dialects))


def upload_kind(file_name: str) -> SubmissionType:
    """What an uploaded file is, by its extension (.sql or .zip only)."""
    lowered = file_name.lower()
    if lowered.endswith(".zip"):
        return SubmissionType.ZIP_ARCHIVE
    if lowered.endswith(".sql"):
        return SubmissionType.SINGLE_FILE
    raise RequestRejectedError("UNSUPPORTED_FILE_TYPE", "upload a .sql or a .zip file")


def build_job(
    job_id: UUID,
    kind: SubmissionType,
    options: LintOptions,
    file_name: str | None,
    *,
    sql_content: str | None = None,
    storage_path: str | None = None,
) -> JobSubmitted:
    """The event to publish; the source is inline text or a storage path."""
    return JobSubmitted(
        job_id=job_id,
        submission_type=kind,
        file_name=file_name,
        sql_content=sql_content,
        storage_path=storage_path,
        options=options,
    )


def fingerprint(request: Mapping[str, object]) -> str:
    """A stable digest of what was asked, to tell a replay from a key reused for another request."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
