"""With no broker, a submission is refused with 503 and leaves nothing behind."""

from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.tables import idempotency_keys, jobs
from tests.ingest.rows import count

pytestmark = pytest.mark.integration


@pytest.fixture
def offline_settings(db_url: str, storage_root: Path) -> IngestSettings:
    return IngestSettings(
        kafka_bootstrap_servers="127.0.0.1:1",
        database_url=db_url,
        nfs_share_root_path=storage_root,
        kafka_delivery_timeout_ms=1500,
        retry_after_s=7,
        ready_timeout_s=0.5,
        auth_required=False,
    )


async def test_submission_without_broker_is_503(offline_settings: IngestSettings) -> None:
    form = FormData()
    form.add_field("file", b"select 1\n", filename="a.sql")
    async with TestClient(TestServer(create_app(offline_settings))) as client:
        json_resp = await client.post(
            "/api/v1/jobs", json={"sql_content": "select 1\n"}, headers={"Idempotency-Key": "k1"}
        )
        form_resp = await client.post("/api/v1/jobs", data=form)
        for resp in (json_resp, form_resp):
            assert resp.status == 503
            assert resp.headers["Retry-After"] == "7"
            assert (await resp.json())["error"]["code"] == "KAFKA_UNAVAILABLE"
    assert count(offline_settings.database_url, jobs) == 0
    assert count(offline_settings.database_url, idempotency_keys) == 0  # released: a retry may succeed
    assert list((offline_settings.nfs_share_root_path / "jobs").iterdir()) == []


async def test_ready_names_the_failing_check(offline_settings: IngestSettings) -> None:
    async with TestClient(TestServer(create_app(offline_settings))) as client:
        live = await client.get("/health/live")
        assert live.status == 200
        ready = await client.get("/health/ready")
        body = await ready.json()
    assert ready.status == 503
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["kafka"] != "ok"
