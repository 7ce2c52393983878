"""schemathesis against a live stack: every operation of /api/v1/openapi.json, answered as documented.

The document is loaded from the running ingest (what clients download). Each
operation runs schemathesis's coverage phase (boundary values, missing and
wrong parameters, methods the path does not have) and a bounded fuzzing
phase of valid and invalid requests: no answer may be a 5xx, and every
answer must have a documented status, content type, headers and body. Left
out, and why:

- ``stream_job_events``: an SSE stream stays open until its job ends, and
  OpenAPI 3.1 cannot describe its events for a body check; its own tests
  (tests/ingest/test_job_events_*.py) judge the stream.
- nothing. The stack requires API keys (``AUTH_REQUIRED=true``): every
  operation is called with an admin's key, so schemathesis's ``ignored_auth``
  check also proves that each operation the document guards refuses a
  request without a key and one with a wrong key. The control action is
  called with a reader's key, which may not control: every request must be
  refused with the documented 403 (401 without a key), and no worker can be
  paused or shut down by the fuzzer (tests/ingest/test_auth.py and
  tests/ingest/test_monitoring_control.py prove that an operator may).
  ``ignored_auth`` is not run on ``submit_job``: schemathesis 4.32 counts
  the configured key as a generated one on the one fuzzed operation with a
  header parameter of its own (Idempotency-Key) and reports its 202; that
  POST /jobs refuses a missing, malformed, unknown or revoked key is proven
  in tests/ingest/test_auth.py.

Answers that need real ids (a finished job, its tasks) are checked on a job
this test submits, through the same checks.
"""

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import max_response_time, not_a_server_error
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from harness import resources
from harness.stack import Stack, running
from ingest.openapi_paths import OPERATIONS
from runtime.access import Role
from runtime.api_keys import create_key
from runtime.db import create_db_engine
from schemas.topics import TopicNames
from tests.e2e.conftest import stack_settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
EXAMPLES = 60
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    ignored_auth,
    max_response_time,
)
FUZZED = sorted(op.operation_id for op in OPERATIONS.values() if op.operation_id != "stream_job_events")
# Checks an operation is spared, with the reason in the module's docstring: health answers 503 by
# design when a dependency or the workers fall behind (and must still conform).
SPARED = {
    "health": {not_a_server_error},
    "ready": {not_a_server_error},
    "workers_health": {not_a_server_error},
    "submit_job": {ignored_auth},
}
CONFIG: dict[str, Any] = {"generation": {"mode": "all"}, "request-timeout": 30}
RUN = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def keys(e2e_db_url: str) -> dict[Role, str]:
    """An admin's key for every operation, a reader's for control (which it may not do)."""
    engine = create_db_engine(e2e_db_url)
    try:
        with engine.begin() as conn:
            roles = (Role.ADMIN, Role.READER)
            return {role: create_key(conn, "fuzz", role, name="schemathesis")[1] for role in roles}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, e2e_db_url: str, storage_root: Path, e2e_topics: TopicNames,
          tmp_path_factory: pytest.TempPathFactory, keys: dict[Role, str]) -> Iterator[Stack]:
    """The conftest's stack, requiring keys; its handle sends the admin's."""
    settings = stack_settings(kafka_bootstrap, e2e_db_url, tmp_path_factory.mktemp("stack"), storage_root,
                              e2e_topics, f"e2e-{resources.short_id()}")
    # The fuzzer judges answers, not rates: its tenant's limits are out of its way (the limits' own
    # tests prove the 429s, and the document lists them).
    unlimited = {f"TENANT_LIMITS__DEFAULT__{name}": "1000000" for name in
                 ("REQUESTS_PER_SECOND", "BURST", "MAX_ACTIVE_JOBS")}
    settings = dataclasses.replace(settings, env={**settings.env, **unlimited, "AUTH_REQUIRED": "true"})
    with running(settings) as started:
        started.api_key = keys[Role.ADMIN]
        yield started


@pytest.fixture(scope="module")
def api_schema(stack: Stack, keys: dict[Role, str]) -> Any:
    config = schemathesis.Config.from_dict({
        **CONFIG,
        "headers": {"Authorization": f"Bearer {keys[Role.ADMIN]}"},
        "operations": [{"include-operation-id": "control_worker",
                        "headers": {"Authorization": f"Bearer {keys[Role.READER]}"}}],
    })
    return schemathesis.openapi.from_url(f"{stack.base_url}/api/v1/openapi.json", config=config)


@pytest.mark.parametrize("operation_id", FUZZED)
def test_every_operation_answers_as_documented(api_schema: Any, operation_id: str) -> None:
    """What schemathesis's pytest loader runs per operation (its lazy loader fails on pytest 9)."""
    operation = api_schema.find_operation_by_id(operation_id)
    checks = [check for check in CHECKS if check not in SPARED.get(operation_id, set())]

    def answers_as_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=checks)

    build_operation_test(
        config=api_schema.config,
        operation=operation,
        test_func=answers_as_documented,
        given_kwargs={},
        feedback=FeedbackSources(),
        explicit_settings=RUN,
    )()


def test_a_finished_jobs_answers_conform(stack: Stack, api_schema: Any) -> None:
    status, accepted = stack.request("POST", "/api/v1/jobs", {"sql_content": "select a,b from t\n"})
    assert status == 202, accepted
    job = stack.wait_job(accepted["job_id"])
    [task] = job["tasks"]
    ids = {"job_id": accepted["job_id"], "task_id": task["task_id"]}
    auth = {"Authorization": f"Bearer {stack.api_key}"}
    for path, expected in (
        ("/api/v1/jobs/{job_id}", 200),
        ("/api/v1/jobs/{job_id}/results", 200),
        ("/api/v1/tasks/{task_id}", 200),
        ("/api/v1/tasks/{task_id}/result", 200),
        ("/api/v1/tasks/{task_id}/fix", 409),  # the job did not ask for fixes
    ):
        wanted = {name: value for name, value in ids.items() if f"{{{name}}}" in path}
        case = api_schema[path]["GET"].Case(path_parameters=wanted)
        response = case.call_and_validate(checks=CHECKS, headers=auth)
        assert response.status_code == expected, (path, response.text)
    results = api_schema["/api/v1/jobs/{job_id}/results"]["GET"]
    for fmt in ("sarif", "junit", "github", "gitlab", "checkstyle", "human"):
        case = results.Case(path_parameters={"job_id": accepted["job_id"]}, query={"format": fmt})
        assert case.call_and_validate(checks=CHECKS, headers=auth).status_code == 200, fmt
