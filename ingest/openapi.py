"""The OpenAPI 3.1 document of this app, generated from its router and the models it answers with.

It is built once per app at start-up, from the routes the app really has (so
it never promises a route that is not served), the entries of
``openapi_paths`` and the pydantic models' own JSON Schemas collected into
``components``; what depends on this server (its SQLFluff's dialects, the
request fields it reads) comes from the server, not from a copy.
"""

import importlib.metadata
import json
import logging
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ingest.access_rules import PUBLIC, RULES
from ingest.openapi_ops import ALWAYS, JSON, Operation
from ingest.openapi_parts import JsonModes, Refs, error_responses, parameters, schema_of, success_responses
from ingest.openapi_paths import OPERATIONS, REFERENCED
from ingest.request import OPTION_FIELDS, SOURCE_FIELDS
from ingest.services import SERVICES
from runtime.access import Ability
from schemas.error_codes import ErrorCode
from schemas.http import ErrorBody

log = logging.getLogger(__name__)
OPENAPI = web.AppKey("openapi", bytes)
REF = "#/components/schemas/{model}"
# Methods aiohttp and aiohttp-cors add by themselves: HEAD beside every GET, OPTIONS for preflights.
IMPLIED = frozenset({"HEAD", "OPTIONS"})
SECURITY = {"bearerAuth": {
    "type": "http", "scheme": "bearer",
    "description": "An API key, sqll_<key_id>_<secret> (sqllint-admin keys create); the operations an "
    "operator may call also take OPERATOR_TOKEN. x-ability names what the key's role must allow.",
}}
# A guarded operation may also be over its tenant's request rate (ingest/rate_limit.py runs after auth).
AUTH_ERRORS = (ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
# The order readers meet the API in: what users call first, what operators use, then the rest.
TAGS = ("jobs", "tasks", "web", "monitoring", "health", "docs")
SUBMIT_LINKS = {
    "GetJob": "get_job", "GetJobResults": "get_job_results", "StreamJobEvents": "stream_job_events"
}


def served_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route the app answers, less the implied methods."""
    routes = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if route.method not in IMPLIED:
            routes.add((route.method, path))
    return routes


def undescribed(app: web.Application) -> list[tuple[str, str]]:
    """Routes the document cannot show because ``openapi_paths`` has no entry for them."""
    return sorted(served_routes(app) - set(OPERATIONS))


def _models(operations: Iterable[Operation]) -> list[tuple[type[BaseModel], JsonModes]]:
    found: dict[tuple[type[BaseModel], JsonModes], None] = {
        (model, "serialization"): None for model in (ErrorBody, *REFERENCED)
    }
    for operation in operations:
        for reply in operation.replies:
            for body in reply.content.values():
                if isinstance(body, type):
                    found[(body, "serialization")] = None
        for body in operation.body.content.values() if operation.body else ():
            if isinstance(body, type):
                found[(body, "validation")] = None
    return list(found)


def _accepted_fields(defs: dict[str, Any], dialects: frozenset[str]) -> None:
    """The submission's fields as this server reads them, with its SQLFluff's dialects."""
    submission = defs["JobSubmission"]["properties"]
    for name in set(submission) - OPTION_FIELDS - SOURCE_FIELDS:
        del submission[name]
    submission["dialect"]["anyOf"][0]["enum"] = sorted(dialects)


def _security(method: str, path: str, auth_required: bool) -> tuple[dict[str, Any], tuple[ErrorCode, ...]]:
    """The operation's ``security`` from the access table the middleware enforces, and its auth errors.

    With AUTH_REQUIRED=false a key is optional (``{}``) except for control, as this server answers.
    """
    need = RULES.get((method, path), Ability.CONTROL)  # unclassified: closed, as the middleware does
    if need == PUBLIC:
        return {"security": []}, ()
    optional = not auth_required and need is not Ability.CONTROL
    return {"security": [{"bearerAuth": []}, *([{}] if optional else [])], "x-ability": need}, AUTH_ERRORS


def _operation(
    operation: Operation, key: tuple[str, str], refs: Refs, served: set[str], auth_required: bool
) -> dict[str, Any]:
    method, path = key
    described: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
    }
    if operation.description:
        described["description"] = operation.description
    if operation.contract:
        described["x-contract"] = operation.contract
    if params := parameters(operation, path):
        described["parameters"] = params
    if operation.body is not None:
        content = {media: {"schema": schema_of(body, refs, "validation")}
                   for media, body in operation.body.content.items()}
        described["requestBody"] = {"required": operation.body.required, "content": content}
    security, auth_errors = _security(method, path, auth_required)
    responses = success_responses(operation, refs)
    responses.update(error_responses((*auth_errors, *operation.errors, *ALWAYS)))
    if operation.operation_id == "submit_job":
        links = {name: {"operationId": target, "parameters": {"job_id": "$response.body#/job_id"}}
                 for name, target in SUBMIT_LINKS.items() if target in served}
        responses["202"]["links"] = links
    described["responses"] = responses
    return described | security


def build_document(app: web.Application) -> dict[str, Any]:
    """The document of ``app`` as routed now."""
    services = app[SERVICES]
    routed = {key: OPERATIONS[key] for key in sorted(served_routes(app)) if key in OPERATIONS}
    refs, defs = models_json_schema(_models(routed.values()), ref_template=REF)
    components = defs.get("$defs", {})
    if "JobSubmission" in components:
        _accepted_fields(components, services.limits.dialects)
    served = {op.operation_id for op in routed.values()}
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), operation in routed.items():
        auth_required = services.settings.auth_required
        paths.setdefault(path, {})[method.lower()] = _operation(
            operation, (method, path), refs, served, auth_required
        )
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "sqllint",
            "version": importlib.metadata.version("sqllint-service"),
            "summary": "SQLFluff as a service: submit SQL, read each file's lint result.",
            "description": "Errors are {\"error\": {\"code\", \"message\"}}; codes in docs/errors.md.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "tags": [{"name": tag} for tag in TAGS],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY},
    }
    if services.settings.public_base_url:
        document["servers"] = [{"url": services.settings.public_base_url.rstrip("/")}]
    return document


async def build_at_startup(app: web.Application) -> None:
    """Build the document once the routes are final; a route without an entry is logged, not served."""
    missing = undescribed(app)
    if missing:
        log.warning("routes missing from the OpenAPI document: %s", missing)
    app[OPENAPI] = json.dumps(build_document(app), indent=1).encode()


async def serve(request: web.Request) -> web.Response:
    """GET /api/v1/openapi.json."""
    return web.Response(body=request.app[OPENAPI], content_type=JSON, charset="utf-8")
