"""``GET /api/v1/jobs/{id}/results?format=``: each report served with its type, as a file, from rows."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

import reports
from ingest.jobs import SQLFLUFF_VERSION
from tests.ingest.rows import add_job, add_task
from tests.reports import consumers
from tests.reports.records import service_records

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
READERS: dict[str, Callable[[str], object]] = {
    "sarif": consumers.read_sarif,
    "junit": consumers.read_junit,
    "github": consumers.read_github,
    "gitlab": consumers.read_gitlab,
    "checkstyle": consumers.read_checkstyle,
    "human": str.splitlines,
}



@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return service_records()


def finished_job(db_url: str, records: list[dict[str, Any]]) -> str:
    job_id = add_job(db_url, "PARTIALLY_COMPLETED", task_count=len(records))
    for ordinal, record in enumerate(records):
        add_task(db_url, job_id, ordinal, "FAILURE" if "error" in record else "SUCCESS", record)
    return job_id


async def test_each_report_is_a_download_of_the_shared_rendering(
    reader: Client, db_url: str, records: list[dict[str, Any]]
) -> None:
    """One app for every format: an app's teardown (its producer's flush) costs seconds."""
    job_id = finished_job(db_url, records)
    assert set(READERS) | {"json"} == set(reports.FORMATS)
    for fmt, read in READERS.items():
        resp = await reader.get(f"/api/v1/jobs/{job_id}/results", params={"format": fmt})
        body = await resp.text()
        assert resp.status == 200, (fmt, body)
        spec = reports.FORMATS[fmt]
        assert resp.headers["Content-Type"] == f"{spec.media_type}; charset=utf-8"
        disposition = f'attachment; filename="sqllint-{job_id}.{spec.extension}"'
        assert resp.headers["Content-Disposition"] == disposition
        assert body == reports.render(fmt, records, tool_version=SQLFLUFF_VERSION), fmt  # the CLI's bytes
        read(body)


async def test_json_stays_the_inline_stream(
    reader: Client, db_url: str, records: list[dict[str, Any]]
) -> None:
    job_id = finished_job(db_url, records)
    for query in ("", "?format=json", "?format=JSON", "?format="):
        resp = await reader.get(f"/api/v1/jobs/{job_id}/results{query}")
        assert resp.status == 200 and "Content-Disposition" not in resp.headers
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
        assert await resp.json() == records


async def test_unknown_format_is_refused_before_the_job_is_read(reader: Client, db_url: str) -> None:
    job_id = add_job(db_url, "PROCESSING", task_count=1)
    for url in (f"/api/v1/jobs/{job_id}/results?format=yaml", "/api/v1/jobs/not-a-job/results?format=sarif"):
        resp = await reader.get(url)
        body = await resp.json()
        expected = "INVALID_ID" if "not-a-job" in url else "INVALID_REPORT_FORMAT"
        assert (resp.status, body["error"]["code"]) == (400, expected)
    resp = await reader.get(f"/api/v1/jobs/{job_id}/results?format=sarif")
    assert (resp.status, (await resp.json())["error"]["code"]) == (409, "JOB_NOT_FINISHED")
    assert "json, sarif, junit" in json.dumps(
        await (await reader.get(f"/api/v1/jobs/{job_id}/results?format=x")).json())
