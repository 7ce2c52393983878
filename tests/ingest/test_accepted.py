"""A job accepted here is found before the sink writes its row: its first row, or the LRU."""

import asyncio
import uuid

import pytest
from sqlalchemy import insert, select

from ingest.accepted import AcceptedJobs
from runtime.db import create_db_engine
from runtime.rows import submitted_job_row
from runtime.tables import jobs
from schemas.events import DEFAULT_TENANT, JobSubmitted
from schemas.statuses import SubmissionType


def _job(name: str | None = None) -> JobSubmitted:
    kind = SubmissionType.ZIP_ARCHIVE
    return JobSubmitted(job_id=uuid.uuid4(), submission_type=kind, file_name=name, storage_path="s/q.zip")


async def test_first_rows_are_the_shared_row_and_the_lru_forgets_the_oldest(db_url: str) -> None:
    engine = create_db_engine(db_url)
    accepted = AcceptedJobs(engine, capacity=2)
    events = [_job("a.zip"), _job(), _job()]
    for event in events:
        await accepted.record(event)
    await accepted.record(events[2])  # the sink wrote it first, or a replay: the row stays as it was
    with engine.connect() as conn:
        stored = {r.job_id: r.source_name for r in conn.execute(select(jobs.c.job_id, jobs.c.source_name))}
    engine.dispose()
    assert stored == {str(e.job_id): e.file_name or e.storage_path for e in events}
    assert [accepted.row(e.job_id, None) for e in events] == [
        None,
        submitted_job_row(events[1], events[1].submitted_at),
        submitted_job_row(events[2], events[2].submitted_at),
    ]


async def test_without_its_table_the_job_is_still_remembered(sqlite_db_url: str) -> None:
    engine = create_db_engine(sqlite_db_url)  # not migrated: the insert fails as a database outage would
    accepted = AcceptedJobs(engine, capacity=10)
    event = _job("q.zip")
    await accepted.record(event)
    engine.dispose()
    row = accepted.row(event.job_id, DEFAULT_TENANT)
    assert row is not None
    assert (row["status"], row["source_name"]) == ("ACCEPTED", "q.zip")


@pytest.mark.parametrize("url", ["db_url", pytest.param("mysql_migrated_url", marks=pytest.mark.integration)])
async def test_rows_accepted_together_are_written_together_even_when_the_sink_wrote_one_first(
    url: str, request: pytest.FixtureRequest
) -> None:
    """One group of concurrent first rows; the sink's row of one of them stays as the sink wrote it."""
    engine = create_db_engine(request.getfixturevalue(url))
    accepted = AcceptedJobs(engine, capacity=100)
    events = [_job(f"{n}.zip") for n in range(20)]
    sinks = submitted_job_row(events[7], events[7].submitted_at) | {"status": "PROCESSING"}
    with engine.begin() as conn:
        conn.execute(insert(jobs).values(sinks))
    await asyncio.gather(*(accepted.record(event) for event in events))
    await accepted.close()
    with engine.connect() as conn:
        stored = {r.job_id: (r.source_name, r.status) for r in conn.execute(select(jobs))}
    engine.dispose()
    expected = {str(e.job_id): (e.file_name, "ACCEPTED") for e in events}
    assert stored == expected | {str(events[7].job_id): ("7.zip", "PROCESSING")}


async def test_a_group_without_its_table_warns_for_each_job_and_remembers_them_all(
    sqlite_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_db_engine(sqlite_db_url)  # not migrated
    accepted = AcceptedJobs(engine, capacity=10)
    events = [_job(f"{n}.zip") for n in range(3)]
    await asyncio.gather(*(accepted.record(event) for event in events))
    engine.dispose()
    warned = [r.getMessage() for r in caplog.records if "first row was not written" in r.getMessage()]
    assert sorted(warned) == sorted(
        f"job {e.job_id} accepted but its first row was not written: the job database is unavailable "
        "(OperationalError)" for e in events
    )
    assert all(accepted.row(e.job_id, None) is not None for e in events)
