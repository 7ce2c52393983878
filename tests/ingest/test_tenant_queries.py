"""Every read query of the API, scoped by tenant, on SQLite and MariaDB over rows the real sink wrote.

Two tenants each own a finished job; each query is asked as the owner (finds
it), as the other tenant (finds nothing: the same as an unknown id) and as an
admin (``None``: finds both). The ingest's recently-accepted cache answers
the same way.
"""

import uuid

import pytest
from sqlalchemy import Connection

from ingest.accepted import AcceptedJobs
from ingest.fixes import get_task_fix
from ingest.job_events import stream_rows
from ingest.queries import get_job, get_task, job_tasks_page, list_jobs, results_after
from runtime.db import create_db_engine
from schemas.events import JobSubmitted
from schemas.statuses import JobStatus
from tests.ingest.tenant_jobs import Written, job_events, sink_jobs

pytestmark = pytest.mark.integration
TENANTS = ("acme", "globex")


@pytest.fixture(params=["sqlite", "mariadb"])
def migrated(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("db_url" if request.param == "sqlite" else "mysql_migrated_url"))


def _found(conn: Connection, job: Written, tenant: str | None) -> dict[str, object]:
    """What each query finds of ``job`` when asked as ``tenant``."""
    task = job.task_ids[0]
    stream_job, stream_tasks = stream_rows(conn, job.job_id, tenant, 0)
    fix = get_task_fix(conn, task, tenant)
    found_task = get_task(conn, task, tenant)
    return {
        "job": (get_job(conn, job.job_id, tenant) or {}).get("job_id"),
        "page": [r["task_id"] for r in job_tasks_page(conn, job.job_id, tenant, 0, 10)],
        "results": [task_id for _, task_id, _ in results_after(conn, job.job_id, tenant, None, 10)],
        "task": found_task and found_task["job_id"],
        "fix": fix and fix["fixed_sql"] is not None,
        "stream": (stream_job and stream_job["job_id"], [r["task_id"] for r in stream_tasks]),
    }


def test_each_query_finds_only_the_tenants_own(migrated: str) -> None:
    acme, globex = sink_jobs(migrated, *TENANTS)
    engine = create_db_engine(migrated)
    try:
        with engine.connect() as conn:
            for job, other in ((acme, globex), (globex, acme)):
                ids = [str(t) for t in job.task_ids]
                seen = {"job": str(job.job_id), "page": ids, "results": ids, "task": str(job.job_id),
                        "fix": True, "stream": (str(job.job_id), ids)}
                assert _found(conn, job, job.tenant) == seen
                assert _found(conn, job, None) == seen  # an admin
                nothing = {"job": None, "page": [], "results": [], "task": None, "fix": None,
                           "stream": (None, [])}
                assert _found(conn, job, other.tenant) == nothing
                assert _found(conn, job, "nobody") == nothing
    finally:
        engine.dispose()


def test_lists_count_only_the_tenants_jobs(migrated: str) -> None:
    jobs = sink_jobs(migrated, "acme", "globex", "acme")
    engine = create_db_engine(migrated)
    try:
        with engine.connect() as conn:
            rows, total = list_jobs(conn, "acme", None, 0, 10)
            assert {r["job_id"] for r in rows} == {str(j.job_id) for j in jobs if j.tenant == "acme"}
            assert (total, {r["tenant"] for r in rows}) == (2, {"acme"})
            rows, total = list_jobs(conn, "globex", JobStatus.COMPLETED, 0, 10)
            assert ([r["job_id"] for r in rows], total) == ([str(jobs[1].job_id)], 1)
            assert list_jobs(conn, "globex", JobStatus.FAILED, 0, 10) == ([], 0)
            assert list_jobs(conn, "nobody", None, 0, 10) == ([], 0)
            rows, total = list_jobs(conn, None, None, 0, 2)  # an admin: every tenant's, paged
            assert (len(rows), total) == (2, 3)
    finally:
        engine.dispose()


async def test_the_accepted_cache_hides_other_tenants_jobs(db_url: str) -> None:
    engine = create_db_engine(db_url)
    accepted = AcceptedJobs(engine, capacity=4)
    (acme, (event, *_)), (plain, (default_event, *_)) = job_events("acme"), job_events("default")
    for submitted in (event, default_event):
        assert isinstance(submitted, JobSubmitted)
        await accepted.record(submitted)
    engine.dispose()

    def tenant_seen(job: Written, tenant: str | None) -> str | None:
        row = accepted.row(job.job_id, tenant)
        return None if row is None else row["tenant"]

    assert [tenant_seen(acme, t) for t in ("acme", None, "default", "globex")] == ["acme", "acme", None, None]
    assert [tenant_seen(plain, t) for t in ("default", None, "acme")] == ["default", "default", None]
    assert accepted.row(uuid.uuid4(), None) is None
