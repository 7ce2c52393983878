"""POST /api/v1/jobs as one typed request, whether it came as JSON or as a form.

Everything a client can get wrong in a submission is caught here, before
anything is claimed, stored or published, and reported under the code the
client branches on. The lint options are the event's own ``LintOptions``, so a
rule code passes the same pattern whether a client or an outside producer sent
it. The model's input is what the client sent; what the server knows (the
dialects, the limits, a file it already received) comes in the validation
context, so no client can set it.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

import sqlfluff
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    InstanceOf,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ingest.errors import RequestRejectedError
from ingest.request_fields import (
    fault,
    first_fault,
    flag,
    rule_codes,
    text_or_none,
    unicode_text,
    upload_kind,
)
from ingest.settings import IngestSettings
from ingest.storage import StagedFile
from policy.callback_url import CallbackUrlRejectedError, parse_callback_url
from policy.lint_config import ConfigRejectedError, parse_lint_config
from schemas.error_codes import ErrorCode
from schemas.events import LintOptions
from schemas.statuses import SubmissionType

SOURCE_FIELDS = frozenset({"sql_content", "zip_file_path"})
LINT_FIELDS = ("dialect", "rules", "exclude_rules", "config", "fix")
OPTION_FIELDS = frozenset({"file_name", "callback_url", *LINT_FIELDS})
MAX_FILE_NAME = 1024


@dataclass(frozen=True)
class RequestLimits:
    """What the server judges a request by; SQLFluff's dialects are read once, they never change."""

    dialects: frozenset[str]
    max_sql_bytes: int
    max_archive_bytes: int
    body_read_timeout_s: float = 300.0
    max_body_bytes: int = 300 * 1024 * 1024  # INGEST_CLIENT_MAX_SIZE's default

    @classmethod
    def of(cls, settings: IngestSettings) -> "RequestLimits":
        """The limits ``settings`` set, with the dialects this SQLFluff knows."""
        dialects = frozenset(d.label for d in sqlfluff.list_dialects())
        archive = settings.zip_limits.max_archive_bytes
        return cls(
            dialects, settings.max_sql_bytes, archive, settings.body_read_timeout_s, settings.client_max_size
        )


@dataclass(frozen=True)
class Upload:
    """A form's file as received: the client's name for it, and its bytes staged on the storage root."""

    client_name: str
    staged: StagedFile


def request_digest(asked: Mapping[str, object]) -> str:
    """A stable digest of what was asked, to tell a replay from a key reused for another request."""
    canonical = json.dumps(asked, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _unicode(text: str, info: ValidationInfo) -> str:
    return unicode_text(text, str(info.field_name))


Text = Annotated[str, AfterValidator(_unicode)]


class JobRequest(BaseModel):
    """One source (inline SQL, a ZIP under the storage root, or an upload) and how to lint it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    asked: InstanceOf[dict]  # what the client sent, as :func:`request_digest` takes it
    zip_file_path: Text | None = None
    sql_content: Text | None = None
    upload: InstanceOf[Upload] | None = None
    file_name: Text | None = None
    callback_url: Text | None = None
    options: LintOptions

    @classmethod
    def parse(cls, fields: object, limits: RequestLimits, upload: Upload | None = None) -> "JobRequest":
        """The request of a JSON body or of a form's fields and file, or the rejection of its first fault."""
        try:
            return cls.model_validate(fields, context={"limits": limits, "upload": upload})
        except ValidationError as exc:
            raise first_fault(exc) from None
        except RecursionError as exc:
            raise RequestRejectedError(ErrorCode.INVALID_JSON, "the body is nested too deeply") from exc

    @cached_property
    def fingerprint(self) -> str:
        """The digest an ``Idempotency-Key`` is bound to: computed only for a request that has a key."""
        return request_digest(self.asked)

    @property
    def kind(self) -> SubmissionType:
        """One SQL text or file, or an archive of many."""
        if self.upload is not None:
            return upload_kind(self.upload.client_name)
        return SubmissionType.SINGLE_FILE if self.sql_content is not None else SubmissionType.ZIP_ARCHIVE

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, data: Any, info: ValidationInfo) -> dict[str, Any]:
        """The client's flat fields as this model's; sources are counted before any field is judged."""
        if not isinstance(data, dict):
            raise fault(ErrorCode.INVALID_REQUEST, "the body must be a JSON object")
        unknown = sorted(set(data) - SOURCE_FIELDS - OPTION_FIELDS)
        if unknown:
            raise fault(ErrorCode.INVALID_REQUEST, f"unknown field {unknown[0][:64]!r}")
        upload: Upload | None = info.context["upload"]
        sql, path = data.get("sql_content"), data.get("zip_file_path")
        if sql is None and path is None and upload is None:
            raise fault(ErrorCode.MISSING_SOURCE, "send sql_content, zip_file_path or a file upload")
        if isinstance(sql, str) and isinstance(path, str):
            raise fault(ErrorCode.AMBIGUOUS_SOURCE, "send only one of sql_content and zip_file_path")
        if upload is None:
            asked: dict[str, object] = {"json": data}
        else:
            asked = {"form": data, "file": upload.client_name, "sha256": upload.staged.sha256}
        return {
            "asked": asked,
            "zip_file_path": path,
            "sql_content": sql,
            "upload": upload,
            "file_name": data.get("file_name", upload.client_name if upload else None),
            "callback_url": text_or_none(data.get("callback_url"), "callback_url") or None,
            "options": {name: data.get(name) for name in LINT_FIELDS},
        }

    @field_validator("sql_content")
    @classmethod
    def _fits(cls, sql: str | None, info: ValidationInfo) -> str | None:
        limit = info.context["limits"].max_sql_bytes
        if sql is not None and len(sql.encode()) > limit:
            raise fault(ErrorCode.SQL_TOO_LARGE, f"sql_content exceeds {limit} bytes")
        return sql

    @field_validator("file_name")
    @classmethod
    def _shown_name(cls, name: str | None) -> str | None:
        if name is not None and not 0 < len(name) <= MAX_FILE_NAME:
            raise fault(ErrorCode.INVALID_REQUEST, f"file_name must have 1 to {MAX_FILE_NAME} characters")
        return name

    @field_validator("callback_url")
    @classmethod
    def _callback_shape(cls, url: str | None) -> str | None:
        """Its shape only; where its host resolves is judged after parsing (``ingest.callbacks``)."""
        if url is not None:
            try:
                parse_callback_url(url)
            except CallbackUrlRejectedError as exc:
                raise fault(exc.code, exc.message) from exc
        return url

    @field_validator("options", mode="before")
    @classmethod
    def _lint_options(cls, wire: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """Dialect and config judged in the order clients have always seen; then ``LintOptions``."""
        dialect = (text_or_none(wire["dialect"], "dialect") or "ansi").strip().lower()
        if dialect not in info.context["limits"].dialects:
            raise fault(ErrorCode.UNKNOWN_DIALECT, f"unknown dialect {dialect[:64]!r}")
        config = text_or_none(wire["config"], "config") or None
        if config is not None:
            try:
                parse_lint_config(config)
            except ConfigRejectedError as exc:
                raise fault(exc.code, exc.message) from exc
        return {
            "dialect": dialect,
            "rules": rule_codes(wire["rules"], "rules"),
            "exclude_rules": rule_codes(wire["exclude_rules"], "exclude_rules"),
            "config": config,
            "fix": flag(wire["fix"], "fix"),
        }
