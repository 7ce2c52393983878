"""What the OpenAPI document says about each route: one entry per method and path of ``routes.py``.

A route without an entry is left out of the document and fails
tests/ingest/test_openapi.py, so a new route cannot ship undescribed. Entries
marked with a ``contract`` describe routes of issue 12 from its fixed
contract; they appear in the served document when their route exists.
"""

from ingest.openapi_ops import JSON, Body, Operation, Reply, case_insensitive
from ingest.request import OPTION_FIELDS
from reports import FORMATS
from schemas.error_codes import ErrorCode as C
from schemas.http import (
    FileRecord,
    FileRecords,
    JobAccepted,
    JobDetail,
    JobList,
    JobSubmission,
    Liveness,
    Readiness,
    TaskDetail,
    TaskFix,
)
from schemas.monitoring import (
    ControlAccepted,
    ControlRequest,
    QueuesView,
    SystemView,
    WorkersHealth,
    WorkersView,
    WorkerView,
)

ISSUE_12 = "issue 12"
DB = (C.DATABASE_UNAVAILABLE,)
CONFIG = (C.INVALID_CONFIG, C.CONFIG_TOO_LARGE, C.FORBIDDEN_CONFIG_SECTION, C.FORBIDDEN_CONFIG_KEY,
          C.FORBIDDEN_CONFIG_VALUE)
SUBMIT_ERRORS = (
    C.INVALID_REQUEST, C.INVALID_JSON, C.INVALID_RULES, C.UNKNOWN_DIALECT, C.MISSING_SOURCE,
    C.AMBIGUOUS_SOURCE, C.UNSUPPORTED_FILE_TYPE, C.UNSUPPORTED_MEDIA_TYPE, C.PAYLOAD_TOO_LARGE,
    C.SQL_TOO_LARGE, C.FILE_TOO_LARGE, C.INVALID_IDEMPOTENCY_KEY, C.IDEMPOTENCY_KEY_REUSED,
    C.IDEMPOTENCY_KEY_IN_FLIGHT, *CONFIG, C.UNSAFE_PATH, C.FILE_NOT_FOUND, C.KAFKA_UNAVAILABLE,
    C.STORAGE_UNAVAILABLE, *DB, C.UNSAFE_CALLBACK_URL, C.WEBHOOKS_DISABLED, C.REQUEST_TIMEOUT,
    C.TOO_MANY_ACTIVE_JOBS, C.DAILY_QUOTA_EXCEEDED,
)
_FLAG_TEXTS = ("true", "false", "1", "0", "yes", "no", "on", "off")
# A form sends every option as text; the fields are the ones the server reads (ingest.request).
_FORM = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "A .sql file or a .zip of them; the name's extension decides which."},
        **{name: {"type": "string"} for name in sorted(OPTION_FIELDS)},
        "fix": {"type": "string", "pattern": case_insensitive(_FLAG_TEXTS)},
    },
    "required": ["file"],
    "additionalProperties": False,
}
_TEXT = {"type": "string"}
_HTML = {"text/html": _TEXT}
# Models the raw schemas below refer to by $ref, collected into components with the others.
REFERENCED = (FileRecords,)
# Each report format's media type; gitlab's Code Quality is JSON too (an array of issues).
_REPORTS = {
    **{spec.media_type: _TEXT for spec in FORMATS.values()},
    "application/sarif+json": {"type": "object", "description": "SARIF 2.1.0"},
    JSON: {"anyOf": [{"$ref": "#/components/schemas/FileRecords"},
                     {"type": "array", "items": {"type": "object"}, "description": "GitLab Code Quality"}]},
}
_WORKER = "/api/v1/monitoring/workers/{worker_id}"
_READY = Reply(200, "Kafka, the database and the storage root answer.", {JSON: Readiness})
_NOT_READY = Reply(503, "A dependency does not answer; checks say which.", {JSON: Readiness})

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/api/v1/jobs"): Operation(
        "submit_job", "Submit SQL, an upload or a ZIP on the storage root", "jobs",
        (Reply(202, "Durable on the jobs topic (or this key's earlier answer, replayed).",
               {JSON: JobAccepted}, ("Location", "Idempotent-Replayed")),),
        SUBMIT_ERRORS, headers=("Idempotency-Key",),
        body=Body({JSON: JobSubmission, "multipart/form-data": _FORM}),
        description="Answers 202 only once Kafka acknowledged the job; 503 with Retry-After otherwise.",
    ),
    ("GET", "/api/v1/jobs"): Operation(
        "list_jobs", "Jobs, newest first", "jobs", (Reply(200, "A page of jobs.", {JSON: JobList}),),
        (C.INVALID_PAGE, C.INVALID_STATUS, *DB), query=("status", "page", "size"),
    ),
    ("GET", "/api/v1/jobs/{job_id}"): Operation(
        "get_job", "A job's status, tallies and a page of its tasks", "jobs",
        (Reply(200, "The job.", {JSON: JobDetail}),),
        (C.INVALID_ID, C.INVALID_PAGE, C.JOB_NOT_FOUND, *DB), query=("page", "size"),
    ),
    ("GET", "/api/v1/jobs/{job_id}/results"): Operation(
        "get_job_results", "Every file's result of a finished job", "jobs",
        (Reply(200, "SQLFluff's JSON records in file order, or the report ?format= asks for.", _REPORTS),),
        (C.INVALID_ID, C.JOB_NOT_FOUND, C.JOB_NOT_FINISHED, C.INVALID_REPORT_FORMAT, *DB), query=("format",),
    ),
    ("GET", "/api/v1/jobs/{job_id}/events"): Operation(
        "stream_job_events", "Live progress of a job (Server-Sent Events)", "jobs",
        (Reply(200, "Events file, progress and end, each with an id; a finished job replays them and ends.",
               {"text/event-stream": _TEXT}),
         Reply(204, "Last-Event-ID was the end event's: nothing more will come (EventSource stops).")),
        (C.INVALID_ID, C.INVALID_REQUEST, C.JOB_NOT_FOUND, *DB),
        headers=("Last-Event-ID",), contract=ISSUE_12,
    ),
    ("GET", "/api/v1/tasks/{task_id}"): Operation(
        "get_task", "One file's task", "tasks", (Reply(200, "The task.", {JSON: TaskDetail}),),
        (C.INVALID_ID, C.TASK_NOT_FOUND, *DB),
    ),
    ("GET", "/api/v1/tasks/{task_id}/result"): Operation(
        "get_task_result", "One file's result", "tasks",
        (Reply(200, "The record exactly as stored.", {JSON: FileRecord}),),
        (C.INVALID_ID, C.TASK_NOT_FOUND, C.TASK_NOT_FINISHED, *DB),
    ),
    ("GET", "/api/v1/tasks/{task_id}/fix"): Operation(
        "get_task_fix", "One file's fixed SQL and diff", "tasks",
        (Reply(200, "SQLFluff's fix of the file (or, for a failed file, its error).", {JSON: TaskFix}),),
        (C.INVALID_ID, C.TASK_NOT_FOUND, C.TASK_NOT_FINISHED, C.FIX_NOT_REQUESTED, C.UNSAFE_PATH,
         C.FILE_NOT_FOUND, *DB),
        contract=ISSUE_12,
    ),
    ("GET", "/api/v1/monitoring/workers"): Operation(
        "list_workers", "Workers, their groups and heartbeats", "monitoring",
        (Reply(200, "Every live worker.", {JSON: WorkersView}),), (C.KAFKA_UNAVAILABLE,),
    ),
    ("GET", _WORKER): Operation(
        "get_worker", "One live worker", "monitoring", (Reply(200, "The worker.", {JSON: WorkerView}),),
        (C.WORKER_NOT_FOUND, C.KAFKA_UNAVAILABLE),
    ),
    ("POST", f"{_WORKER}/control"): Operation(
        "control_worker", "Ask a worker to pause, resume, restart its pool, reset or shut down", "monitoring",
        (Reply(202, "On the control topic; the worker acknowledges it in a heartbeat.",
               {JSON: ControlAccepted}),),
        (C.INVALID_REQUEST, C.INVALID_JSON, C.WORKER_NOT_FOUND, C.KAFKA_UNAVAILABLE),
        body=Body({JSON: ControlRequest}),
    ),
    ("GET", "/api/v1/monitoring/queues"): Operation(
        "get_queues", "Topics, their partitions and every group's lag", "monitoring",
        (Reply(200, "The queues.", {JSON: QueuesView}),), (C.KAFKA_UNAVAILABLE,),
    ),
    ("GET", "/api/v1/monitoring/system"): Operation(
        "get_system", "The ingest's host and the workers' hosts", "monitoring",
        (Reply(200, "The hosts.", {JSON: SystemView}),),
    ),
    ("GET", "/api/v1/health/workers"): Operation(
        "workers_health", "Whether the workers keep up", "health",
        (Reply(200, "A live worker of each role, and a lag not only rising.", {JSON: WorkersHealth}),
         Reply(503, "Unhealthy: reasons say why.", {JSON: WorkersHealth})),
    ),
    ("GET", "/health"): Operation("health", "Readiness (the plan's path)", "health", (_READY, _NOT_READY)),
    ("GET", "/health/live"): Operation(
        "live", "Liveness", "health", (Reply(200, "The process serves HTTP.", {JSON: Liveness}),),
    ),
    ("GET", "/health/ready"): Operation("ready", "Readiness", "health", (_READY, _NOT_READY)),
    ("GET", "/metrics"): Operation(
        "metrics", "Prometheus metrics", "health",
        (Reply(200, "The text exposition format.", {"text/plain": _TEXT}),), DB,
    ),
    ("GET", "/api/v1/openapi.json"): Operation(
        "openapi", "This document", "docs", (Reply(200, "OpenAPI 3.1.", {JSON: {"type": "object"}}),),
    ),
    ("GET", "/api/v1/docs"): Operation(
        "docs_page", "The API's documentation page", "docs", (Reply(200, "Swagger UI.", _HTML),),
    ),
    ("GET", "/api/v1/docs/assets/{name}"): Operation(
        "docs_asset", "A script, style sheet or icon of the documentation page", "docs",
        (Reply(200, "The asset.", {"*/*": _TEXT}),), (C.NOT_FOUND,),
    ),
    ("GET", "/"): Operation(
        "web_page", "The web page: submit SQL, watch it finish, read and download results", "web",
        (Reply(200, "The page.", _HTML),), contract=ISSUE_12,
    ),
    ("GET", "/static/{name}"): Operation(
        "web_asset", "A script or style sheet of the web page", "web",
        (Reply(200, "The asset.", {"*/*": _TEXT}),), (C.NOT_FOUND,), contract=ISSUE_12,
    ),
}
