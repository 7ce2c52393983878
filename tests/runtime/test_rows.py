"""The one jobs row of a submitted job: what the ingest writes first is what the sink would write."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from runtime.rows import naive_utc, submitted_job_row
from runtime.tables import jobs
from schemas.events import JobSubmitted, LintOptions
from schemas.statuses import SubmissionType
from sink.rows import job_row

AT = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
LATER = AT + timedelta(seconds=3)

JOBS = {
    "inline text with a name": JobSubmitted(
        job_id=uuid.uuid4(),
        submitted_at=AT,
        submission_type=SubmissionType.SINGLE_FILE,
        file_name="q.sql",
        sql_content="select 1\n",
        options=LintOptions(dialect="mysql", rules=("LT01",)),
    ),
    "archive by path, no name": JobSubmitted(
        job_id=uuid.uuid4(),
        submitted_at=AT,
        submission_type=SubmissionType.ZIP_ARCHIVE,
        storage_path="team-a/release.zip",
    ),
}


@pytest.mark.parametrize("case", list(JOBS))
def test_the_sink_builds_the_same_row(case: str) -> None:
    job = JOBS[case]
    assert submitted_job_row(job, LATER) == job_row(job, LATER)


def test_every_column_once_in_table_order() -> None:
    row = submitted_job_row(JOBS["archive by path, no name"], LATER)
    assert list(row) == jobs.columns.keys()
    assert row["source_name"] == "team-a/release.zip"
    assert (row["status"], row["task_count"], row["finished_at"]) == ("ACCEPTED", None, None)
    assert (row["created_at"], row["updated_at"]) == (AT.replace(tzinfo=None), LATER.replace(tzinfo=None))


def test_naive_utc() -> None:
    plus_two = AT.astimezone(timezone(timedelta(hours=2)))
    assert naive_utc(plus_two) == datetime(2025, 1, 2, 3, 4, 5, 678000)
    assert naive_utc(AT.replace(tzinfo=None)) == AT.replace(tzinfo=None)
