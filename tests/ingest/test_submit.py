"""POST /api/v1/jobs against a real broker and a migrated database."""

import json
import uuid
from pathlib import Path

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from ingest.settings import IngestSettings
from schemas.db import create_db_engine
from schemas.events import LintOptions
from schemas.statuses import SubmissionType
from schemas.tables import jobs
from tests.ingest.conftest import make_zip, topic_events

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]
SQL = "SELECT a+b  FROM t\n"


def job_row(db_url: str, job_id: str) -> dict[str, object] | None:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.job_id == job_id)).mappings().first()
            return dict(row) if row else None
    finally:
        engine.dispose()


async def test_json_sql_is_published_and_readable(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    resp = await client.post(
        "/api/v1/jobs",
        json={"sql_content": SQL, "file_name": "a.sql", "dialect": "mysql", "rules": "LT01, CP01"},
    )
    body = await resp.json()
    assert resp.status == 202, body
    assert body["job_status"] == "ACCEPTED"
    assert body["submission_type"] == "SINGLE_FILE"
    assert resp.headers["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/api/v1/jobs/{body['job_id']}")

    [(key, event)] = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert key == body["job_id"] == str(event.job_id)
    assert event.submission_type is SubmissionType.SINGLE_FILE
    assert event.sql_content == SQL
    assert event.storage_path is None
    assert event.file_name == "a.sql"
    assert event.options == LintOptions(dialect="mysql", rules=("LT01", "CP01"))

    status = await client.get(f"/api/v1/jobs/{body['job_id']}")
    assert status.status == 200
    view = await status.json()
    assert view["job_status"] == "ACCEPTED"
    assert view["tasks"] == []
    row = job_row(settings.database_url, body["job_id"])
    assert row is not None
    assert row["status"] == "ACCEPTED"
