"""POST /api/v1/jobs against a real broker and a migrated database."""

import uuid
from pathlib import Path

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.db import create_db_engine
from runtime.tables import jobs
from schemas.events import LintOptions
from schemas.statuses import SubmissionType
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


async def test_large_json_sql_goes_to_storage(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    sql = "SELECT 1;\n" * 500  # 5000 bytes > inline_max_bytes (1024 in these settings)
    resp = await client.post("/api/v1/jobs", json={"sql_content": sql, "file_name": "../big one.sql"})
    body = await resp.json()
    assert resp.status == 202, body
    [(_, event)] = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert event.sql_content is None
    assert event.storage_path == f"jobs/{body['job_id']}/big_one.sql"
    assert (settings.nfs_share_root_path / event.storage_path).read_text() == sql
    assert event.file_name == "../big one.sql"


async def test_json_zip_file_path(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    area = settings.nfs_share_root_path / "imports" / "default"  # the default tenant's import area
    (area / "shared").mkdir(parents=True)
    make_zip(area / "shared" / "q.zip", {"a.sql": SQL, "b/c.sql": "select 1\n"})
    resp = await client.post(
        "/api/v1/jobs", json={"zip_file_path": "shared/q.zip", "exclude_rules": ["LT12"]}
    )
    body = await resp.json()
    assert resp.status == 202, body
    assert body["submission_type"] == "ZIP_ARCHIVE"
    [(key, event)] = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert key == body["job_id"]
    assert event.submission_type is SubmissionType.ZIP_ARCHIVE
    assert event.storage_path == "imports/default/shared/q.zip"  # relative to the root, as processors read it
    assert event.options == LintOptions(exclude_rules=("LT12",))


async def test_multipart_sql_upload(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str
) -> None:
    form = FormData()
    form.add_field("dialect", "postgres")
    form.add_field("file", SQL.encode(), filename="report.sql", content_type="application/sql")
    form.add_field("config", "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = upper\n")
    resp = await client.post("/api/v1/jobs", data=form)
    body = await resp.json()
    assert resp.status == 202, body
    [(_, event)] = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert event.submission_type is SubmissionType.SINGLE_FILE
    assert event.file_name == "report.sql"
    assert event.storage_path == f"jobs/{body['job_id']}/report.sql"
    assert (settings.nfs_share_root_path / event.storage_path).read_bytes() == SQL.encode()
    assert event.options.dialect == "postgres"
    assert event.options.config is not None
    assert "capitalisation_policy = upper" in event.options.config


async def test_multipart_zip_upload(
    client: Client, settings: IngestSettings, kafka_bootstrap: str, unique_id: str, tmp_path: Path
) -> None:
    archive = make_zip(tmp_path / "up.zip", {"x.sql": SQL})
    form = FormData()
    form.add_field("file", archive.read_bytes(), filename="up.zip", content_type="application/zip")
    form.add_field("rules", "LT01")
    resp = await client.post("/api/v1/jobs", data=form)
    body = await resp.json()
    assert resp.status == 202, body
    [(_, event)] = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert event.submission_type is SubmissionType.ZIP_ARCHIVE
    assert event.storage_path == f"jobs/{body['job_id']}/up.zip"
    assert (settings.nfs_share_root_path / event.storage_path).read_bytes() == archive.read_bytes()
    assert event.options.rules == ("LT01",)


async def test_get_right_after_202_when_row_insert_failed(client: Client, settings: IngestSettings) -> None:
    """The first-row insert is best effort: with a column it writes gone, the LRU still answers.

    (Only that column: the tenant's job count reads the table before the job is accepted.)
    """
    engine = create_db_engine(settings.database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE linting_jobs RENAME COLUMN options_json TO options_away")
    resp = await client.post("/api/v1/jobs", json={"sql_content": SQL})
    assert resp.status == 202
    job_id = (await resp.json())["job_id"]
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE linting_jobs RENAME COLUMN options_away TO options_json")
    engine.dispose()
    status = await client.get(f"/api/v1/jobs/{job_id}")
    view = await status.json()
    assert status.status == 200, view
    assert (view["job_id"], view["job_status"]) == (job_id, "ACCEPTED")
    assert job_row(settings.database_url, job_id) is None
    unknown = await client.get(f"/api/v1/jobs/{uuid.uuid4()}")
    assert unknown.status == 404
    assert (await unknown.json())["error"]["code"] == "JOB_NOT_FOUND"


async def test_a_database_outage_leaves_the_limits_uncounted_and_the_job_accepted(
    settings: IngestSettings, kafka_bootstrap: str, unique_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Accepting through a database outage is the service's promise: the limits then go uncounted, loudly."""
    down = settings.model_copy(update={"database_url": "mysql+pymysql://sqllint:x@127.0.0.1:1/sqllint"})
    async with TestClient(TestServer(create_app(down))) as client:
        resp = await client.post("/api/v1/jobs", json={"sql_content": SQL})
        body = await resp.json()
    assert resp.status == 202, body
    [(key, _)] = topic_events(kafka_bootstrap, settings.topics.jobs, unique_id)
    assert key == body["job_id"]
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "jobs in the database not counted" in warned
    assert f"{len(SQL)} bytes of tenant default not counted" in warned
