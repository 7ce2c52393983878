"""Two processor workers share the partitions; every result lands exactly once."""

import zipfile
from contextlib import suppress
from pathlib import Path

import pytest
import sqlalchemy as sa

from harness import resources
from harness.groups import group_members, wait_members
from harness.stack import running
from runtime.db import create_db_engine
from runtime.tables import tasks
from schemas.events import DEFAULT_TENANT
from tests.e2e.conftest import stack_settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
DATA = Path(__file__).parents[1] / "data" / "sql"


def test_two_processor_workers_share_partitions_and_results_land_once(
    kafka_bootstrap: str, e2e_db_url: str, tmp_path: Path
) -> None:
    group = f"scale-{resources.short_id()}"
    storage = tmp_path / "storage"
    archive = storage / "imports" / DEFAULT_TENANT / "big.zip"  # zip_file_path names it in the import area
    archive.parent.mkdir(parents=True)
    files = sorted(DATA.rglob("*.sql"))
    with zipfile.ZipFile(archive, "w") as zf:
        for copy in range(3):
            for path in files:
                zf.write(path, f"copy{copy}/{path.relative_to(DATA).as_posix()}")
    with resources.temporary_topics(kafka_bootstrap, "e2e") as topics:
        settings = stack_settings(kafka_bootstrap, e2e_db_url, tmp_path, storage, topics, group, processors=2)
        with running(settings) as stack:
            before = _wait_shared(kafka_bootstrap, f"{group}-proc", topics.tasks)
            status, body = stack.request("POST", "/api/v1/jobs", {"zip_file_path": "big.zip"})
            assert status == 202, body
            job = stack.wait_job(body["job_id"], timeout=240)
            members = group_members(kafka_bootstrap, f"{group}-proc", topics.tasks)

    assert job["task_count"] == 3 * len(files)
    assert job["tasks_succeeded"] + job["tasks_failed"] == 3 * len(files)
    assert len(before) == 2 and all(before.values()), before
    assert members == before, "a rebalance happened while linting"
    engine = create_db_engine(e2e_db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(tasks.c.task_id, tasks.c.status, tasks.c.result_json)
                            .where(tasks.c.job_id == body["job_id"])).all()
    engine.dispose()
    assert len(rows) == 3 * len(files)
    assert len({r.task_id for r in rows}) == len(rows)
    assert all(r.status in {"SUCCESS", "FAILURE"} and r.result_json for r in rows)


def _wait_shared(bootstrap: str, group: str, topic: str, timeout: float = 90) -> dict[str, list[int]]:
    """Block until both workers hold tasks partitions (the group has settled)."""
    with suppress(TimeoutError):
        wait_members(bootstrap, group, topic, 2, timeout)
    return group_members(bootstrap, group, topic)
