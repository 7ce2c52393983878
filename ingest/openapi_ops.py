"""The parts one operation of the OpenAPI document is described with.

An operation names its success answers by model (or by a raw schema for what
is not JSON), its parameters by name from one catalogue, and the error codes
it can answer; the status of each code comes from ``schemas.error_codes``, so
a code is documented under the status the middleware really answers it with.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from reports import FORMATS
from schemas.error_codes import ErrorCode
from schemas.statuses import JobStatus
from schemas.worker_events import WORKER_ID_PATTERN

Schema = Mapping[str, Any]
JSON = "application/json"
# The codes every operation may answer: a bug is a 500 (no detail), and the ingest's own
# dependencies are checked as they are used.
ALWAYS = (ErrorCode.INTERNAL_ERROR,)


@dataclass(frozen=True)
class Reply:
    """One success answer: its status, and its body by media type (a model, a raw schema, or None)."""

    status: int
    description: str
    content: Mapping[str, type[BaseModel] | Schema | None] = field(default_factory=dict)
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    """A request body: a model per media type, and whether it may be left out."""

    content: Mapping[str, type[BaseModel] | Schema]
    required: bool = True


@dataclass(frozen=True)
class Operation:
    """Everything the document says about one method on one path.

    ``contract`` names the issue whose fixed contract describes an operation
    whose handler another change adds: the description is ready before the
    route, and the document shows the operation once the route exists.
    """

    operation_id: str
    summary: str
    tag: str
    replies: tuple[Reply, ...]
    errors: tuple[ErrorCode, ...] = ()
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    body: Body | None = None
    contract: str | None = None
    description: str = ""


def case_insensitive(words: tuple[str, ...]) -> str:
    """A pattern matching any of ``words`` in any case, or the empty string (JSON Schema has no flags)."""

    def letters(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)

    return f"^(?:{'|'.join(letters(word) for word in words)})?$"


_UUID: Schema = {"type": "string", "format": "uuid"}
PATH_PARAMETERS: dict[str, Schema] = {
    "job_id": _UUID,
    "task_id": _UUID,
    "worker_id": {"type": "string", "pattern": WORKER_ID_PATTERN},
    "name": {"type": "string", "description": "An asset of the page, as the page links it."},
}
QUERY_PARAMETERS: dict[str, Schema] = {
    "page": {"type": "integer", "minimum": 1, "maximum": 10**9, "default": 1},
    "size": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
    "format": {
        "type": "string",
        "pattern": case_insensitive(tuple(FORMATS)),
        "default": "json",
        "description": f"The report to answer with, one of {', '.join(FORMATS)} (any case); json when empty.",
    },
    "status": {
        "type": "string",
        "pattern": case_insensitive(tuple(JobStatus)),
        "description": "Only jobs in this status (a JobStatus, in any case); empty for all.",
    },
}
REQUEST_HEADERS: dict[str, Schema] = {
    "Idempotency-Key": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "description": "Retry-safe submission: the same key and body answer the same job.",
    },
    "Last-Event-ID": {"type": "string", "description": "Resume after this event (SSE reconnection)."},
}
RESPONSE_HEADERS: dict[str, Schema] = {
    "Location": {"type": "string", "description": "The job's status URL."},
    "Idempotent-Replayed": {"type": "string", "enum": ["true"], "description": "A replayed answer."},
    "Retry-After": {"type": "string", "description": "Seconds to wait before retrying."},
    "WWW-Authenticate": {"type": "string", "description": "The accepted scheme: Bearer."},
    "Allow": {"type": "string", "description": "The methods the path has."},
}


def parameter(where: str, name: str, schema: Schema, required: bool = False) -> dict[str, Any]:
    """One parameter object; its description moves out of the schema, where readers look for it."""
    body = dict(schema)
    description = body.pop("description", None)
    described = {"description": description} if description else {}
    return {"name": name, "in": where, "required": required, **described, "schema": body}


def response_headers(names: tuple[str, ...]) -> dict[str, Any]:
    """The ``headers`` of a response, from the catalogue."""
    out: dict[str, Any] = {}
    for name in names:
        schema = dict(RESPONSE_HEADERS[name])
        out[name] = {"description": schema.pop("description"), "schema": schema}
    return out
