"""An operation's parameters and responses in OpenAPI's words.

Error answers are grouped by the status ``schemas.error_codes`` gives each
code, and each status's body is the one error shape narrowed to the codes this
operation can answer with it, so a client (or schemathesis) reading an answer
knows which codes to expect where.
"""

import re
from collections import defaultdict
from typing import Any, Literal

from pydantic import BaseModel

from ingest.openapi_ops import (
    JSON,
    PATH_PARAMETERS,
    QUERY_PARAMETERS,
    REQUEST_HEADERS,
    Operation,
    Schema,
    parameter,
    response_headers,
)
from schemas.error_codes import ErrorCode, http_status

JsonModes = Literal["validation", "serialization"]
Refs = dict[tuple[type[BaseModel], JsonModes], Any]
_PATH_NAMES = re.compile(r"{(\w+)}")
# Answers a client should retry after Retry-After: the service's dependencies, a key still in flight.
_RETRIED = frozenset({503, 429})  # unavailable, and a tenant over a limit: both say when to retry


def schema_of(body: type[BaseModel] | Schema | None, refs: Refs, mode: JsonModes) -> Any:
    """A model as its component's ``$ref``; a raw schema as it is."""
    if isinstance(body, type):
        return refs[(body, mode)]
    return body


def parameters(operation: Operation, path: str) -> list[dict[str, Any]]:
    """Path parameters (from the template), then the query and header parameters the operation names."""
    params = [parameter("path", name, PATH_PARAMETERS[name], True) for name in _PATH_NAMES.findall(path)]
    params += [parameter("query", name, QUERY_PARAMETERS[name]) for name in operation.query]
    params += [parameter("header", name, REQUEST_HEADERS[name]) for name in operation.headers]
    return params


def success_responses(operation: Operation, refs: Refs) -> dict[str, Any]:
    """The operation's own answers, by status."""
    responses: dict[str, Any] = {}
    for reply in operation.replies:
        answer: dict[str, Any] = {"description": reply.description}
        if reply.headers:
            answer["headers"] = response_headers(reply.headers)
        content = {media: {"schema": schema_of(body, refs, "serialization")}
                   for media, body in reply.content.items() if body is not None}
        if content:
            answer["content"] = content
        responses[str(reply.status)] = answer
    return responses


def error_responses(codes: tuple[ErrorCode, ...]) -> dict[str, Any]:
    """One response per status, its body the error shape with ``code`` narrowed to these codes."""
    by_status: dict[int, list[ErrorCode]] = defaultdict(list)
    for code in dict.fromkeys(codes):
        by_status[http_status(code)].append(code)
    responses: dict[str, Any] = {}
    for status, listed in sorted(by_status.items()):
        narrowed = {
            "allOf": [{"$ref": "#/components/schemas/ErrorBody"}],
            "properties": {"error": {"properties": {"code": {"enum": [c.value for c in listed]}}}},
        }
        answer: dict[str, Any] = {
            "description": "Codes: " + ", ".join(c.value for c in listed) + ".",
            "content": {JSON: {"schema": narrowed}},
        }
        if status in _RETRIED or ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT in listed:
            answer["headers"] = response_headers(("Retry-After",))
        elif status == 401:
            answer["headers"] = response_headers(("WWW-Authenticate",))
        responses[str(status)] = answer
    return responses
