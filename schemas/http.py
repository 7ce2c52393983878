"""The HTTP API's bodies as clients send and read them: jobs, tasks, records, health, errors.

The ingest builds its JSON answers through these models and the OpenAPI
document (``/api/v1/openapi.json``) is generated from them, so the answers and
the document cannot drift apart; a client may vendor them with the rest of
``schemas``. Unlike events, answers take what the job database holds while a
job is in flight (a placeholder row's empty submission type, an ordinal of
-1 before the task is described), because an answer failing its own model
would be a 500 for the client.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, RootModel, WithJsonSchema

from schemas.error_codes import ErrorCode
from schemas.events import RuleCode, Violation
from schemas.statuses import JobStatus, SubmissionType, TaskStatus


def utc_text(value: datetime) -> str:
    """ISO 8601 UTC with ``Z``; the tables hold naive UTC, so a naive value is UTC."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    PlainSerializer(utc_text, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Answer(BaseModel):
    """Base of every answer: immutable, and no key the document does not name."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Failure(Answer):
    """Why a job or a file failed: a registered code (docs/errors.md) and its message."""

    code: str
    message: str


class JobAccepted(Answer):
    """The 202 of POST /api/v1/jobs, kept as it was sent so a replay answers the same."""

    job_id: UUID
    job_status: JobStatus = JobStatus.ACCEPTED
    submission_type: SubmissionType
    status_url: str = Field(description="Absolute URL of the job's status (also in the Location header).")


class CallbackView(Answer):
    """A job's callback (docs/webhooks.md): where it goes and how its delivery went so far."""

    url: str
    state: Literal["WAITING", "PENDING", "DELIVERED", "FAILED"] = Field(
        description="WAITING until the job ends; then PENDING while it is being sent or retried."
    )
    attempts: int
    last_attempt_at: Timestamp | None
    last_status_code: int | None = Field(description="The receiver's last HTTP status, if it answered.")
    last_error: str | None = Field(description="Why the last attempt did not deliver, else null.")
    delivered_at: Timestamp | None


class JobView(Answer):
    """A job's status and tallies."""

    job_id: UUID
    job_status: JobStatus
    submission_type: SubmissionType | Literal[""] = Field(
        description='"" only for a moment, while the database knows the job from its tasks alone.'
    )
    file_name: str | None = Field(description="The client's file name, or the archive's storage path.")
    task_count: int | None = Field(description="Files in the job; null until the job is expanded.")
    tasks_succeeded: int
    tasks_failed: int
    violation_count: int
    error: Failure | None = Field(description="Why the whole job failed (a rejected archive), else null.")
    created_at: Timestamp
    updated_at: Timestamp
    finished_at: Timestamp | None
    callback: CallbackView | None = Field(None, description="The job's callback; null when it has none.")
    tenant: str = Field(description='Whose job it is (an admin lists several); "" while submission_type is.')


class TaskView(Answer):
    """One file's task."""

    task_id: UUID
    ordinal: int = Field(description="The file's place in its job; -1 while the task is not described yet.")
    file_name: str
    task_status: TaskStatus
    violation_count: int | None
    error: Failure | None = Field(description="Why the file has no lint result, else null.")
    attempts: int
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    updated_at: Timestamp


class JobDetail(JobView):
    """GET /api/v1/jobs/{job_id}: the job and one page of its tasks in file order."""

    page: int
    size: int
    tasks: list[TaskView]


class JobList(Answer):
    """GET /api/v1/jobs: a page of jobs, newest first, and how many match."""

    jobs: list[JobView]
    page: int
    size: int
    total: int


class TaskDetail(TaskView):
    """GET /api/v1/tasks/{task_id}."""

    job_id: UUID


class FileRecord(BaseModel):
    """One file's result in the shape of ``sqlfluff lint --format json``, plus ``error`` on a failure.

    Open to additive fields, as the public lint-results topic is.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    filepath: str
    violations: list[Violation]
    error: Failure | None = Field(None, description="Present (never null) only when the file failed.")


class FileRecords(RootModel[list[FileRecord]]):
    """GET /api/v1/jobs/{job_id}/results: every file's record, in file order."""


class TaskFix(Answer):
    """GET /api/v1/tasks/{task_id}/fix: SQLFluff's fix of a finished task of a job sent with fix.

    A failed file has no fix: ``fixed`` is false, the texts are null and ``error`` says why.
    """

    task_id: UUID
    file_name: str
    fixed: bool = Field(description="Whether the fix changed anything.")
    fixed_sql: str | None
    diff: str | None = Field(description="Unified diff, a/<file> -> b/<file>; empty when unchanged.")
    error: Failure | None = Field(None, description="Present (never null) only when the file failed.")


class Liveness(Answer):
    """GET /health/live."""

    status: Literal["ok"]


class Readiness(Answer):
    """GET /health/ready: each dependency's check, "ok" or why not."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, str]


class ErrorDetail(Answer):
    """What went wrong: a registered code (docs/errors.md) and a message for people."""

    code: ErrorCode
    message: str


class ErrorBody(Answer):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorDetail


SOURCES = ("sql_content", "zip_file_path")
# What the server splits a comma-separated rules text into: codes, blanks and spaces around them.
_CODE = r"[A-Za-z][A-Za-z0-9_.]{0,63}"
RULES_TEXT = rf"^\s*(?:{_CODE})?\s*(?:,\s*(?:{_CODE})?\s*)*$"


def _one_source(name: str) -> dict[str, object]:
    """The JSON Schema branch where ``name`` is the one source; oneOf then refuses both and neither."""
    return {"required": [name], "properties": {name: {"type": "string"}}}


RulesText = Annotated[str, Field(pattern=RULES_TEXT)]


class JobSubmission(BaseModel):
    """The JSON body of POST /api/v1/jobs (a form sends the same options as fields, with ``file``).

    Exactly one source: ``sql_content``, ``zip_file_path`` or (in a form) ``file``.
    """

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [_one_source(name) for name in SOURCES]}
    )

    sql_content: str | None = Field(None, description="One SQL text; at most INGEST_MAX_SQL_BYTES bytes.")
    zip_file_path: str | None = Field(
        None, description="A .zip in the tenant's import area <root>/imports/<tenant>/, relative to it."
    )
    file_name: str | None = Field(None, min_length=1, max_length=1024, description="The name results show.")
    dialect: str | None = Field(None, description="A SQLFluff dialect; ansi when absent.")
    rules: RulesText | list[RuleCode] | None = Field(None, description="Only these rules (a list or CSV).")
    exclude_rules: RulesText | list[RuleCode] | None = Field(None, description="Rules to skip, as for rules.")
    config: str | None = Field(
        None, max_length=65536, description="A .sqlfluff file's lint settings (no templater or library code)."
    )
    fix: bool | None = Field(None, description="Also produce each file's fixed SQL and diff (GET .../fix).")
    callback_url: str | None = Field(
        None,
        min_length=1,
        max_length=2048,
        description="POST the job's signed summary here when it ends: a public http(s) URL (see webhooks).",
    )
