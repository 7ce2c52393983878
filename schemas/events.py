"""Versioned event records: the only things that travel over Kafka.

Each record is frozen, rejects unknown fields, and names itself on the wire
with ``event_type`` and ``schema_version`` (never a Python class name), so an
outside producer or consumer in any language can read and write them from the
JSON Schemas generated out of these classes. A change that would break a
reader gets a new ``schema_version`` and a new class beside the old one.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.statuses import SubmissionType, TaskStatus

RuleCode = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,63}$")]
# A tenant's name: safe as a path component, a topic-name suffix and a metric label.
TenantName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
# Whose a job is when nothing says: events written before tenants existed, and `make run` without keys.
DEFAULT_TENANT = "default"
_PATH_PATTERN = r"^[^\x00]{1,1024}$"


def utc_now() -> datetime:
    """Event timestamps are always timezone-aware UTC."""
    return datetime.now(UTC)


class Record(BaseModel):
    """Base of every wire record: immutable, strict about unknown keys."""

    # Every field is always written, so consumers may rely on all of them.
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)


class LintOptions(Record):
    """How to lint: the same options for every file of a job."""

    dialect: str = Field("ansi", min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    rules: tuple[RuleCode, ...] | None = None
    exclude_rules: tuple[RuleCode, ...] | None = None
    config: str | None = Field(None, max_length=65536, description="A .sqlfluff file, lint settings only.")
    # Additive in v1: left off the wire when false, so a job without it is byte-identical to before.
    fix: bool = Field(
        False, exclude_if=lambda asked: asked is False,
        description="Also produce SQLFluff's fixed SQL and a unified diff for every file.",
    )


class ErrorInfo(Record):
    """Why something failed, as a stable code plus a human-readable message."""

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Z][A-Z0-9_]*$")
    message: str = Field(max_length=4096)


class JobSubmitted(Record):
    """A job to lint: one SQL text or file, or a ZIP, on the jobs topic (public)."""

    event_type: Literal["job.submitted"] = "job.submitted"
    schema_version: Literal[1] = 1
    job_id: UUID
    submitted_at: datetime = Field(default_factory=utc_now)
    submission_type: SubmissionType
    file_name: str | None = Field(None, max_length=1024)
    sql_content: str | None = Field(None, description="Inline SQL; exclusive with storage_path.")
    storage_path: str | None = Field(
        None, pattern=_PATH_PATTERN, description="Path relative to the shared storage root."
    )
    options: LintOptions = LintOptions()
    # Additive in v1: left off the wire when absent. The sink judges it again before each delivery
    # (docs/webhooks.md), so an outside producer cannot aim the service at a private address.
    callback_url: str | None = Field(
        None, min_length=1, max_length=2048, exclude_if=lambda url: url is None,
        description="Where the job's summary is POSTed, signed, when it ends (docs/webhooks.md).",
    )
    # Additive in v1: left off the wire when absent (the default tenant). Set by the ingest from the
    # caller's API key, or by the processors from the tenant topic an outside principal wrote to;
    # an event on the jobs topic is trusted because only those two may write it (docs/security.md).
    tenant: TenantName | None = Field(
        None, exclude_if=lambda name: name is None,
        description="Whose job this is; absent: the default tenant (docs/security.md).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> "JobSubmitted":
        if (self.sql_content is None) == (self.storage_path is None):
            raise ValueError("exactly one of sql_content and storage_path is required")
        if self.submission_type is SubmissionType.ZIP_ARCHIVE and self.storage_path is None:
            raise ValueError("a ZIP_ARCHIVE job needs storage_path")
        return self


class LintTask(Record):
    """One file to lint (internal tasks topic): inline when small, by path when large."""

    event_type: Literal["task.created"] = "task.created"
    schema_version: Literal[1] = 1
    task_id: UUID
    job_id: UUID
    ordinal: int = Field(ge=0)
    file_name: str = Field(max_length=1024)
    sql_content: str | None = None
    storage_path: str | None = Field(None, pattern=_PATH_PATTERN)
    size_bytes: int = Field(ge=0)
    options: LintOptions = LintOptions()
    # Whose file this is: the lint cache is kept per tenant, so a hit never tells one tenant
    # what another linted. Left off the wire when absent (the default tenant).
    tenant: TenantName | None = Field(None, exclude_if=lambda name: name is None)

    @model_validator(mode="after")
    def _one_source(self) -> "LintTask":
        if (self.sql_content is None) == (self.storage_path is None):
            raise ValueError("exactly one of sql_content and storage_path is required")
        return self


class TaskRegistered(Record):
    """A task that was settled at expansion, with no ``task.created`` (internal progress topic).

    Files refused at expansion and files answered from the result cache get
    their result straight away; this tells the sink their place in the job.
    """

    event_type: Literal["task.registered"] = "task.registered"
    schema_version: Literal[1] = 1
    task_id: UUID
    job_id: UUID
    ordinal: int = Field(ge=0)
    file_name: str = Field(max_length=1024)


class TaskStarted(Record):
    """A lint worker picked the task up (internal progress topic)."""

    event_type: Literal["task.started"] = "task.started"
    schema_version: Literal[1] = 1
    task_id: UUID
    job_id: UUID
    started_at: datetime = Field(default_factory=utc_now)


class TaskRetried(Record):
    """A file whose lint process crashed goes back to the pool after a backoff (internal progress topic).

    Only a crash is retried (a rule or parse result is final): the sink keeps
    the highest ``attempt`` on the task, so operators see how often it was tried.
    """

    event_type: Literal["task.retried"] = "task.retried"
    schema_version: Literal[1] = 1
    task_id: UUID
    job_id: UUID
    attempt: int = Field(ge=2, description="The attempt about to run (the first retry is attempt 2).")
    error: ErrorInfo
    backoff_s: float = Field(ge=0)
    retried_at: datetime = Field(default_factory=utc_now)


class JobExpanded(Record):
    """The job was split into ``task_count`` tasks (internal progress topic)."""

    event_type: Literal["job.expanded"] = "job.expanded"
    schema_version: Literal[1] = 1
    job_id: UUID
    task_count: int = Field(ge=0)
    expanded_at: datetime = Field(default_factory=utc_now)


class JobRejected(Record):
    """The job as a whole cannot be processed, e.g. a corrupt archive."""

    event_type: Literal["job.rejected"] = "job.rejected"
    schema_version: Literal[1] = 1
    job_id: UUID
    error: ErrorInfo
    rejected_at: datetime = Field(default_factory=utc_now)


class Violation(Record):
    """One finding, in the shape of ``sqlfluff lint --format json``."""

    code: str
    description: str
    name: str
    start_line_no: int
    start_line_pos: int
    end_line_no: int | None = None
    end_line_pos: int | None = None
    warning: bool = False


class FixOutcome(Record):
    """SQLFluff's fix of one file, as ``sqlfluff fix`` would write it (lint-results topic, public).

    Each text travels inline when small, or by a path under the storage root
    when the two together would crowd Kafka's message limit; exactly one of each pair is set.
    """

    fixed: bool = Field(description="Whether the fix changed anything.")
    fixed_sql: str | None = None
    diff: str | None = Field(None, description="Unified diff, a/<file> -> b/<file>; empty when unchanged.")
    fixed_sql_path: str | None = Field(None, pattern=_PATH_PATTERN)
    diff_path: str | None = Field(None, pattern=_PATH_PATTERN)

    @model_validator(mode="after")
    def _one_place_each(self) -> "FixOutcome":
        if (self.fixed_sql is None) == (self.fixed_sql_path is None) or (self.diff is None) == (
            self.diff_path is None
        ):
            raise ValueError("exactly one of fixed_sql and fixed_sql_path, and of diff and diff_path")
        return self


class LintResult(Record):
    """The final outcome of one file (lint-results topic, public)."""

    event_type: Literal["lint.result"] = "lint.result"
    schema_version: Literal[1] = 1
    job_id: UUID
    task_id: UUID
    file_name: str
    status: Literal[TaskStatus.SUCCESS, TaskStatus.FAILURE]
    violations: tuple[Violation, ...] = ()
    error: ErrorInfo | None = None
    dialect: str
    sqlfluff_version: str
    linted_at: datetime = Field(default_factory=utc_now)
    duration_ms: float = Field(0.0, ge=0)
    cached: bool = False
    # Additive in v1: only the results of a job that asked for fixes carry it (absent otherwise).
    fix: FixOutcome | None = Field(None, exclude_if=lambda fix: fix is None)

    @model_validator(mode="after")
    def _error_iff_failure(self) -> "LintResult":
        if (self.status is TaskStatus.FAILURE) != (self.error is not None):
            raise ValueError("error is required for FAILURE and forbidden for SUCCESS")
        return self


class DeadLetter(Record):
    """A message that could not be handled, kept with the reason (dead-letter topic)."""

    event_type: Literal["dead.letter"] = "dead.letter"
    schema_version: Literal[1] = 1
    source_topic: str
    partition: int
    offset: int
    error: ErrorInfo
    payload: str = Field(description="The original bytes, decoded as UTF-8 with replacement, truncated.")
    failed_at: datetime = Field(default_factory=utc_now)


class CachedLint(Record):
    """A SUCCESS lint outcome remembered by content hash (internal, compacted lint-cache topic).

    ``key`` is the sha256 over the file content, the lint options and the
    SQLFluff version, so an entry is only ever reused for an identical lint.
    """

    event_type: Literal["lint.cached"] = "lint.cached"
    schema_version: Literal[1] = 1
    key: str = Field(pattern=r"^[0-9a-f]{64}$")
    violations: tuple[Violation, ...] = ()
    sqlfluff_version: str
    created_at: datetime = Field(default_factory=utc_now)
