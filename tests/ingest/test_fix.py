"""GET /api/v1/tasks/{task_id}/fix over rows the real sink wrote, and the ``fix`` field of a submission."""

import uuid
from pathlib import Path

import aiohttp
import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from ingest.errors import RequestRejectedError
from ingest.request import JobRequest, RequestLimits
from ingest.settings import IngestSettings
from processors.fix_transport import fix_file_relpaths
from runtime.db import create_db_engine
from schemas.events import (
    ErrorInfo,
    FixOutcome,
    JobSubmitted,
    LintOptions,
    LintResult,
    LintTask,
    Record,
    TaskStarted,
)
from schemas.statuses import SubmissionType, TaskStatus
from schemas.topics import TopicNames
from sink.store import write_batch
from tests.ingest.conftest import topic_events

Client = TestClient[web.Request, web.Application]
LIMITS = RequestLimits.of(IngestSettings(max_sql_bytes=1000))
FIXED = "select\n    a,\n    b\nfrom t\n"
DIFF = "--- a/q.sql\n+++ b/q.sql\n@@ -1 +1,4 @@\n-select a,b from t\n+select\n+    a,\n+    b\n+from t\n"



def _sink(db_url: str, events: list[Record]) -> None:
    engine = create_db_engine(db_url)
    try:
        write_batch(engine, events)
    finally:
        engine.dispose()


File = tuple[str, TaskStatus, FixOutcome | None, ErrorInfo | None]


def _job(db_url: str, fix: bool, *results: File) -> list[uuid.UUID]:
    """A job of one file per result (IN_PROGRESS: still running), written through the sink."""
    job_id = uuid.uuid4()
    options = LintOptions(fix=fix)
    events: list[Record] = [JobSubmitted(job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE,
                                         storage_path=f"jobs/{job_id}/a.zip", options=options)]
    ids = []
    for ordinal, (name, status, fixed, error) in enumerate(results):
        task_id = uuid.uuid4()
        ids.append(task_id)
        events.append(LintTask(task_id=task_id, job_id=job_id, ordinal=ordinal, file_name=name,
                               sql_content="select a,b from t\n", size_bytes=18, options=options))
        events.append(TaskStarted(task_id=task_id, job_id=job_id))
        if status is not TaskStatus.IN_PROGRESS:
            events.append(LintResult(job_id=job_id, task_id=task_id, file_name=name, status=status,
                                     error=error, dialect="ansi", sqlfluff_version="4.5.0", fix=fixed))
    _sink(db_url, events)
    return [job_id, *ids]


async def _error(resp: ClientResponse) -> tuple[int, str]:
    return resp.status, (await resp.json())["error"]["code"]


async def test_a_finished_task_answers_its_fix(reader: Client, db_url: str) -> None:
    fixed = FixOutcome(fixed=True, fixed_sql=FIXED, diff=DIFF)
    _, task = _job(db_url, True, ("q.sql", TaskStatus.SUCCESS, fixed, None))
    resp = await reader.get(f"/api/v1/tasks/{task}/fix")
    assert resp.status == 200
    assert await resp.json() == {
        "task_id": str(task), "file_name": "q.sql", "fixed": True, "fixed_sql": FIXED, "diff": DIFF
    }


async def test_a_large_fix_is_read_back_from_storage(reader: Client, db_url: str, storage_root: Path) -> None:
    job_id, task = uuid.uuid4(), uuid.uuid4()
    sql_path, diff_path = fix_file_relpaths(job_id, task)
    (storage_root / sql_path).parent.mkdir(parents=True)
    (storage_root / sql_path).write_bytes(FIXED.encode())
    (storage_root / diff_path).write_bytes(DIFF.encode())
    fixed = FixOutcome(fixed=True, fixed_sql_path=sql_path, diff_path=diff_path)
    _, stored = _job(db_url, True, ("q.sql", TaskStatus.SUCCESS, fixed, None))
    body = await (await reader.get(f"/api/v1/tasks/{stored}/fix")).json()
    assert (body["fixed_sql"], body["diff"], body["fixed"]) == (FIXED, DIFF, True)
    (storage_root / sql_path).unlink()
    assert await _error(await reader.get(f"/api/v1/tasks/{stored}/fix")) == (404, "FILE_NOT_FOUND")


async def test_unchanged_and_failed_files(reader: Client, db_url: str) -> None:
    error = ErrorInfo(code="LINT_TIMEOUT", message="linting took longer than 60 s")
    _, clean, failed = _job(
        db_url, True,
        ("clean.sql", TaskStatus.SUCCESS, FixOutcome(fixed=False, fixed_sql="select 1\n", diff=""), None),
        ("slow.sql", TaskStatus.FAILURE, None, error),
    )
    assert await (await reader.get(f"/api/v1/tasks/{clean}/fix")).json() == {
        "task_id": str(clean), "file_name": "clean.sql", "fixed": False, "fixed_sql": "select 1\n", "diff": ""
    }
    resp = await reader.get(f"/api/v1/tasks/{failed}/fix")
    assert resp.status == 200
    assert await resp.json() == {"task_id": str(failed), "file_name": "slow.sql", "fixed": False,
                                 "fixed_sql": None, "diff": None, "error": error.model_dump()}


async def test_conflicts_and_lookups(reader: Client, db_url: str) -> None:
    _, running = _job(db_url, True, ("q.sql", TaskStatus.IN_PROGRESS, None, None))
    _, lint_only, lint_only_running = _job(db_url, False, ("a.sql", TaskStatus.SUCCESS, None, None),
                                           ("b.sql", TaskStatus.IN_PROGRESS, None, None))
    assert await _error(await reader.get(f"/api/v1/tasks/{running}/fix")) == (409, "TASK_NOT_FINISHED")
    assert await _error(await reader.get(f"/api/v1/tasks/{lint_only}/fix")) == (409, "FIX_NOT_REQUESTED")
    not_asked = await reader.get(f"/api/v1/tasks/{lint_only_running}/fix")
    assert await _error(not_asked) == (409, "FIX_NOT_REQUESTED")  # known before the task ends
    assert await _error(await reader.get(f"/api/v1/tasks/{uuid.uuid4()}/fix")) == (404, "TASK_NOT_FOUND")
    assert await _error(await reader.get("/api/v1/tasks/not-a-uuid/fix")) == (400, "INVALID_ID")


@pytest.mark.parametrize(
    ("value", "asked"),
    [(True, True), (False, False), (None, False), ("true", True), ("on", True), ("1", True), ("FALSE", False),
     ("0", False), ("", False)],
)
def test_fix_as_json_or_form_field(value: object, asked: bool) -> None:
    request = JobRequest.parse({"sql_content": "select 1\n", "fix": value}, LIMITS)
    assert request.options.fix is asked


@pytest.mark.parametrize("value", ["maybe", 1, [True], {"x": 1}])
def test_fix_refuses_what_is_not_a_yes_or_no(value: object) -> None:
    with pytest.raises(RequestRejectedError) as info:
        JobRequest.parse({"sql_content": "select 1\n", "fix": value}, LIMITS)
    assert (info.value.code, info.value.message) == ("INVALID_REQUEST", "fix must be true or false")


def test_fix_changes_the_fingerprint() -> None:
    plain = JobRequest.parse({"sql_content": "select 1\n"}, LIMITS)
    asked = JobRequest.parse({"sql_content": "select 1\n", "fix": True}, LIMITS)
    assert plain.fingerprint != asked.fingerprint


@pytest.mark.integration
async def test_fix_reaches_the_jobs_topic_from_json_and_from_a_form(
    client: Client, kafka_bootstrap: str, topic_names: TopicNames, group: str
) -> None:
    as_json = await client.post("/api/v1/jobs", json={"sql_content": "select 1\n", "fix": True})
    form = aiohttp.FormData()
    form.add_field("file", b"select 1\n", filename="q.sql")
    form.add_field("fix", "true")
    as_form = await client.post("/api/v1/jobs", data=form)
    plain = await client.post("/api/v1/jobs", json={"sql_content": "select 1\n"})
    ids = [(await resp.json())["job_id"] for resp in (as_json, as_form, plain)]
    published = {key: job for key, job in topic_events(kafka_bootstrap, topic_names.jobs, group)}
    assert [published[job_id].options.fix for job_id in ids] == [True, True, False]
