"""The OpenAPI document: valid 3.1, complete over the app's routes, and true of the real answers."""

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from ingest import openapi
from ingest.app import create_app
from ingest.openapi_paths import OPERATIONS
from ingest.request import OPTION_FIELDS, SOURCE_FIELDS
from ingest.settings import IngestSettings
from schemas.error_codes import ERRORS
from schemas.events import Violation
from schemas.http import JobSubmission
from tests.ingest.rows import add_job, add_task

Client = TestClient[web.Request, web.Application]


def _settings(db_url: str, storage_root: Path) -> IngestSettings:
    """No broker is needed: the producer connects only when publishing."""
    return IngestSettings(
        kafka_bootstrap_servers="127.0.0.1:1", database_url=db_url, nfs_share_root_path=storage_root,
        auth_required=False,
    )


@pytest.fixture
async def reader(db_url: str, storage_root: Path) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(_settings(db_url, storage_root)))) as client:
        yield client


def test_every_route_of_the_app_is_in_the_document(tmp_path: Path) -> None:
    app = create_app(_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
    assert openapi.undescribed(app) == [], "describe the new route in ingest/openapi_paths.py"
    document = openapi.build_document(app)
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert documented == openapi.served_routes(app)


def test_a_route_without_an_entry_is_reported(tmp_path: Path) -> None:
    app = create_app(_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
    app.router.add_delete("/api/v1/jobs/{job_id}", openapi.serve)
    assert openapi.undescribed(app) == [("DELETE", "/api/v1/jobs/{job_id}")]
    assert "delete" not in openapi.build_document(app)["paths"]["/api/v1/jobs/{job_id}"]


def test_every_entry_makes_a_valid_openapi_3_1_document(tmp_path: Path) -> None:
    """Entries whose route another change adds (issue 12's contract) are checked ahead of it."""
    app = create_app(_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
    routed = openapi.served_routes(app)
    for method, path in set(OPERATIONS) - routed:
        app.router.add_route(method, path, openapi.serve)
    document = openapi.build_document(app)
    OpenAPIV31SpecValidator(document).validate()
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) == len(OPERATIONS)


def test_a_broken_document_is_refused_by_the_validator(tmp_path: Path) -> None:
    """The validator really judges: a response without a description is not OpenAPI."""
    document = openapi.build_document(create_app(_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)))
    del document["paths"]["/health/live"]["get"]["responses"]["200"]["description"]
    assert list(OpenAPIV31SpecValidator(document).iter_errors())


def test_every_operation_is_under_a_listed_tag() -> None:
    assert {operation.tag for operation in OPERATIONS.values()} == set(openapi.TAGS)


def test_documented_error_codes_are_http_answers() -> None:
    for operation in OPERATIONS.values():
        for code in operation.errors:
            assert ERRORS[code].status is not None, f"{operation.operation_id}: {code} is not an HTTP answer"


def test_the_submission_model_and_form_name_every_field_the_server_reads() -> None:
    assert set(JobSubmission.model_fields) >= OPTION_FIELDS | SOURCE_FIELDS
    body = OPERATIONS[("POST", "/api/v1/jobs")].body
    assert body is not None
    form = body.content["multipart/form-data"]
    assert isinstance(form, dict) and set(form["properties"]) == OPTION_FIELDS | {"file"}


def _validator(document: dict[str, Any], path: str, method: str, status: int) -> Draft202012Validator:
    response = document["paths"][path][method]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": document["components"]})


async def _conforms(client: Client, document: dict[str, Any], url: str, template: str, status: int) -> Any:
    resp = await client.get(url)
    body = await resp.json()
    assert resp.status == status, body
    errors = list(_validator(document, template, "get", status).iter_errors(body))
    assert not errors, [e.message for e in errors]
    return body


@pytest.mark.integration
async def test_the_served_document_is_the_built_one_and_the_answers_conform(
    reader: Client, db_url: str
) -> None:
    resp = await reader.get("/api/v1/openapi.json")
    assert resp.status == 200 and resp.content_type == "application/json"
    document = await resp.json()
    assert document == json.loads(json.dumps(openapi.build_document(reader.app)))
    assert document["openapi"] == "3.1.0"

    job_id = add_job(db_url, "COMPLETED", task_count=2)
    found = Violation(code="LT01", description="d", name="layout.spacing", start_line_no=1, start_line_pos=9)
    done = add_task(db_url, job_id, 0, "SUCCESS", {"filepath": "f0.sql", "violations": [found.model_dump()]})
    add_task(db_url, job_id, 1, "FAILURE", {"filepath": "f1.sql", "violations": [],
                                            "error": {"code": "NOT_TEXT", "message": "binary"}})
    await _conforms(reader, document, f"/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}", 200)
    await _conforms(reader, document, "/api/v1/jobs?status=completed", "/api/v1/jobs", 200)
    await _conforms(reader, document, f"/api/v1/tasks/{done}", "/api/v1/tasks/{task_id}", 200)
    await _conforms(reader, document, f"/api/v1/tasks/{done}/result", "/api/v1/tasks/{task_id}/result", 200)
    records = await _conforms(reader, document, f"/api/v1/jobs/{job_id}/results",
                              "/api/v1/jobs/{job_id}/results", 200)
    assert [r["filepath"] for r in records] == ["f0.sql", "f1.sql"]
    await _conforms(reader, document, "/health/live", "/health/live", 200)


@pytest.mark.integration
async def test_error_answers_conform_and_a_code_outside_the_list_would_not(reader: Client) -> None:
    document = await (await reader.get("/api/v1/openapi.json")).json()
    body = await _conforms(reader, document, "/api/v1/jobs/nope", "/api/v1/jobs/{job_id}", 400)
    assert body["error"]["code"] == "INVALID_ID"
    await _conforms(reader, document, f"/api/v1/jobs/{uuid.uuid4()}", "/api/v1/jobs/{job_id}", 404)
    await _conforms(reader, document, "/api/v1/jobs?page=0", "/api/v1/jobs", 400)
    wrong = {"error": {"code": "TASK_NOT_FOUND", "message": "a task's code on a job's path"}}
    assert list(_validator(document, "/api/v1/jobs/{job_id}", "get", 404).iter_errors(wrong))
