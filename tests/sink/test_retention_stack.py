"""The running sink deletes what the service stored for a job once it is final, in a real stack.

Ingest, processors and sink run as processes on one storage root and MariaDB,
the sink sweeping every half second: an uploaded ZIP and the members the
processors extracted go once the job is final, its results stay readable, and
the tenant's own ZIP given as ``zip_file_path`` stays.
"""

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import resources
from harness.http import multipart
from harness.settings import StackSettings, lint_layout
from harness.stack import Stack, running
from schemas.events import DEFAULT_TENANT

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
FILES = {"a.sql": "select a from t\n", "dir/b.sql": "SELECT  b FROM u\n"}


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in FILES.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.fixture
def stack(kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path) -> Iterator[Stack]:
    with (
        resources.temporary_topics(kafka_bootstrap, "ret") as topics,
        resources.migrated_database(mysql_server_url) as db_url,
    ):
        settings = StackSettings(
            kafka_bootstrap,
            db_url,
            tmp_path / "stack",
            storage=tmp_path / "storage",
            topics=topics,
            group=f"ret-{resources.short_id()}",
            partitions=4,
            port=resources.free_port(),
            processors=lint_layout(1),
            env={"SINK_RETENTION_SWEEP_S": "0.5"},
        )
        (tmp_path / "storage").mkdir()
        with running(settings) as started:
            yield started


def _gone(folder: Path, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return not folder.exists()


def test_a_final_jobs_stored_files_go_and_the_tenants_zip_stays(stack: Stack, tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    tenant_zip = storage / "imports" / DEFAULT_TENANT / "team-a" / "release.zip"  # in its import area
    tenant_zip.parent.mkdir(parents=True)
    original = _zip()
    tenant_zip.write_bytes(original)
    status, by_path = stack.request("POST", "/api/v1/jobs", {"zip_file_path": "team-a/release.zip"})
    assert status == 202, by_path
    payload, content_type = multipart({"dialect": "ansi"}, "repo.zip", _zip())
    status, uploaded = stack.request(
        "POST", "/api/v1/jobs", data=payload, headers={"Content-Type": content_type}
    )
    assert status == 202, uploaded
    for job_id in (by_path["job_id"], uploaded["job_id"]):
        job = stack.wait_job(job_id, timeout=120)
        assert job["job_status"] == "COMPLETED", job
        assert _gone(storage / "jobs" / job_id), sorted((storage / "jobs" / job_id).rglob("*"))
        status, results = stack.request("GET", f"/api/v1/jobs/{job_id}/results")  # still served
        assert status == 200, results
        assert sorted(r["filepath"] for r in results) == sorted(FILES), results
    assert tenant_zip.read_bytes() == original
