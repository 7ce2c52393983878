"""The read path: jobs, tasks and results served from rows the sink would write."""

import json
import uuid
from datetime import timedelta

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from runtime.db import create_db_engine
from runtime.tables import jobs
from tests.ingest.rows import T0, add_job, add_task, lint_record

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
DIRTY = "SELECT a+b  FROM t\n"



async def error_of(resp: ClientResponse) -> tuple[int, str]:
    body = await resp.json()
    return resp.status, body["error"]["code"]


def set_status(db_url: str, job_id: str, status: str) -> None:
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.job_id == job_id).values(status=status))
    engine.dispose()


async def test_job_with_a_page_of_tasks(reader: Client, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=3)
    record = lint_record("f0.sql", DIRTY)
    ids = [add_task(db_url, job_id, 2, "PENDING"), add_task(db_url, job_id, 0, "SUCCESS", record)]
    ids.append(add_task(db_url, job_id, 1, "IN_PROGRESS"))
    resp = await reader.get(f"/api/v1/jobs/{job_id}?page=1&size=2")
    body = await resp.json()
    assert resp.status == 200
    assert (body["job_status"], body["submission_type"], body["task_count"]) == (
        "PROCESSING",
        "ZIP_ARCHIVE",
        3,
    )
    assert body["created_at"] == "2025-01-02T03:04:05Z"
    assert [t["task_id"] for t in body["tasks"]] == [ids[1], ids[2]]
    first = body["tasks"][0]
    assert (first["task_status"], first["violation_count"]) == ("SUCCESS", len(record["violations"]))
    assert first["finished_at"] == "2025-01-02T03:04:06Z"
    assert first["attempts"] == 1
    second_page = await (await reader.get(f"/api/v1/jobs/{job_id}?page=2&size=2")).json()
    assert [t["task_id"] for t in second_page["tasks"]] == [ids[0]]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/jobs/not-a-uuid", 400, "INVALID_ID"),
        (f"/api/v1/jobs/{uuid.uuid4()}", 404, "JOB_NOT_FOUND"),
        (f"/api/v1/jobs/{uuid.uuid4()}/results", 404, "JOB_NOT_FOUND"),
        (f"/api/v1/jobs/{uuid.uuid4()}?size=501", 400, "INVALID_PAGE"),
        (f"/api/v1/jobs/{uuid.uuid4()}?page=0", 400, "INVALID_PAGE"),
        ("/api/v1/jobs?size=abc", 400, "INVALID_PAGE"),
        ("/api/v1/jobs?page=%C2%B2", 400, "INVALID_PAGE"),
        (f"/api/v1/jobs?size={'9' * 5000}", 400, "INVALID_PAGE"),
        ("/api/v1/jobs?status=DONE", 400, "INVALID_STATUS"),
        ("/api/v1/tasks/123", 400, "INVALID_ID"),
        (f"/api/v1/tasks/{uuid.uuid4()}", 404, "TASK_NOT_FOUND"),
        (f"/api/v1/tasks/{uuid.uuid4()}/result", 404, "TASK_NOT_FOUND"),
        ("/api/v1/nowhere", 404, "NOT_FOUND"),
    ],
)
async def test_bad_reads(reader: Client, path: str, status: int, code: str) -> None:
    assert await error_of(await reader.get(path)) == (status, code)


async def test_method_not_allowed_is_json(reader: Client) -> None:
    resp = await reader.delete("/api/v1/jobs")
    assert await error_of(resp) == (405, "METHOD_NOT_ALLOWED")
    assert "POST" in resp.headers["Allow"]


async def test_task_result_once_finished(reader: Client, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=2)
    pending = add_task(db_url, job_id, 0, "IN_PROGRESS")
    failure = {"filepath": "f1.sql", "violations": [], "error": {"code": "FILE_TOO_LARGE", "message": "big"}}
    failed = add_task(db_url, job_id, 1, "FAILURE", failure)
    assert await error_of(await reader.get(f"/api/v1/tasks/{pending}/result")) == (409, "TASK_NOT_FINISHED")
    resp = await reader.get(f"/api/v1/tasks/{failed}/result")
    assert resp.status == 200
    assert await resp.text() == json.dumps(failure)
    status = await (await reader.get(f"/api/v1/tasks/{failed}")).json()
    assert (status["job_id"], status["task_status"]) == (job_id, "FAILURE")
    assert status["error"] == {"code": "FILE_TOO_LARGE", "message": "big"}


async def test_job_results_in_file_order_once_finished(reader: Client, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=3)
    records = [lint_record(f"f{i}.sql", DIRTY if i % 2 else "select 1\n") for i in range(3)]
    for ordinal in (2, 0, 1):
        add_task(db_url, job_id, ordinal, "SUCCESS", records[ordinal])
    assert await error_of(await reader.get(f"/api/v1/jobs/{job_id}/results")) == (409, "JOB_NOT_FINISHED")
    set_status(db_url, job_id, "COMPLETED")
    resp = await reader.get(f"/api/v1/jobs/{job_id}/results")
    assert resp.status == 200
    assert await resp.json() == records


async def test_job_results_of_a_job_without_tasks(reader: Client, db_url: str) -> None:
    job_id = add_job(db_url, "FAILED", task_count=0)
    assert await (await reader.get(f"/api/v1/jobs/{job_id}/results")).json() == []


async def test_list_jobs_newest_first_and_by_status(reader: Client, db_url: str) -> None:
    old = add_job(db_url, "COMPLETED", created=T0)
    new = add_job(db_url, "PROCESSING", created=T0 + timedelta(minutes=1))
    newest = add_job(db_url, "COMPLETED", created=T0 + timedelta(minutes=2))
    everything = await (await reader.get("/api/v1/jobs")).json()
    assert [j["job_id"] for j in everything["jobs"]] == [newest, new, old]
    assert everything["total"] == 3
    done = await (await reader.get("/api/v1/jobs?status=completed&size=1&page=2")).json()
    assert [j["job_id"] for j in done["jobs"]] == [old]
    assert (done["total"], done["page"], done["size"]) == (2, 2, 1)
