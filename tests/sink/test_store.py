"""The sink's upserts and tallies, on SQLite and MariaDB, for every arrival order that matters."""

import json
import random
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from runtime.tables import jobs, tasks
from schemas.events import Record
from schemas.statuses import JobStatus, TaskStatus
from sink.store import write_batch
from tests.sink._events import CP01, LT01, T0, JobEvents

# Columns that depend on when the sink ran, not on the events.
_CLOCK_COLUMNS = {"updated_at"}
_TASK_CLOCK_COLUMNS = {"updated_at", "created_at"}


def _job(engine: Engine, events: JobEvents) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.job_id == str(events.job_id))).mappings().one()
    return dict(row)


def _tasks(engine: Engine, events: JobEvents) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(tasks).where(tasks.c.job_id == str(events.job_id)).order_by(tasks.c.task_id)
        )
        return [dict(row) for row in rows.mappings()]


def _state(engine: Engine, events: JobEvents) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    job = {k: v for k, v in _job(engine, events).items() if k not in _CLOCK_COLUMNS}
    task_rows = [{k: v for k, v in t.items() if k not in _TASK_CLOCK_COLUMNS} for t in _tasks(engine, events)]
    return job, task_rows


def _one_by_one(engine: Engine, records: list[Record]) -> None:
    for record in records:
        write_batch(engine, [record])


def test_happy_path_completes_job_with_tallies_and_sqlfluff_records(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, ev.in_order(ev.success(0, LT01, CP01), ev.success(1)))

    job = _job(engine, ev)
    assert job["status"] == JobStatus.COMPLETED
    assert (job["task_count"], job["tasks_succeeded"], job["tasks_failed"], job["violation_count"]) == (
        2,
        2,
        0,
        2,
    )
    assert job["submission_type"] == "ZIP_ARCHIVE"
    assert job["source_name"] == "batch.zip"
    assert json.loads(job["options_json"])["exclude_rules"] == ["LT05"]
    assert job["created_at"] == T0.replace(tzinfo=None)
    assert job["finished_at"] == ev.success(1).linted_at.replace(tzinfo=None)
    first, second = sorted(_tasks(engine, ev), key=lambda t: t["ordinal"])
    assert (first["file_name"], first["ordinal"], first["status"]) == ("a.sql", 0, TaskStatus.SUCCESS)
    assert first["started_at"] == ev.started(0).started_at.replace(tzinfo=None)
    assert json.loads(first["result_json"]) == {
        "filepath": "a.sql",
        "violations": [
            {
                "code": "LT01",
                "description": LT01.description,
                "name": "layout.spacing",
                "start_line_no": 1,
                "start_line_pos": 9,
                "end_line_no": 1,
                "end_line_pos": 11,
                "warning": False,
            },
            {
                "code": "CP01",
                "description": CP01.description,
                "name": "capitalisation.keywords",
                "start_line_no": 1,
                "start_line_pos": 1,
                "end_line_no": 1,
                "end_line_pos": 7,
                "warning": True,
            },
        ],
    }
    assert (second["violation_count"], json.loads(second["result_json"])) == (
        0,
        {"filepath": "b.sql", "violations": []},
    )


def test_sql_text_is_never_stored(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [ev.created(0)])
    assert "select" not in repr(_tasks(engine, ev)).lower()


def test_ingest_row_and_job_submitted_coexist(engine: Engine) -> None:
    ev = JobEvents()
    with engine.begin() as conn:  # what the ingest writes before answering 202
        conn.execute(
            insert(jobs).values(
                job_id=str(ev.job_id),
                submission_type="ZIP_ARCHIVE",
                status="ACCEPTED",
                source_name="batch.zip",
                options_json="{}",
                tasks_succeeded=0,
                tasks_failed=0,
                violation_count=0,
                created_at=T0.replace(tzinfo=None),
                updated_at=T0.replace(tzinfo=None),
            )
        )
    write_batch(engine, [ev.submitted(), ev.submitted()])
    job = _job(engine, ev)
    assert (job["status"], job["source_name"], job["options_json"]) == ("ACCEPTED", "batch.zip", "{}")


def test_replaying_everything_changes_nothing(engine: Engine) -> None:
    ev = JobEvents()
    records = ev.in_order(ev.success(0, LT01), ev.failure(1))
    write_batch(engine, records)
    before = _job(engine, ev), _tasks(engine, ev)
    write_batch(engine, records)
    _one_by_one(engine, records)
    assert (_job(engine, ev), _tasks(engine, ev)) == before


def test_reordered_events_reach_the_in_order_state(engine: Engine) -> None:
    reference, shuffled = JobEvents(), JobEvents()
    write_batch(engine, reference.in_order(reference.success(0, LT01), reference.failure(1)))
    ev = shuffled
    # results before created, started after results, expansion after all results, submission last
    _one_by_one(
        engine,
        [
            ev.success(0, LT01),
            ev.started(1),
            ev.failure(1),
            ev.created(1),
            ev.started(0),
            ev.created(0),
            ev.expanded(),
            ev.submitted(),
        ],
    )
    assert _normalised(_state(engine, ev), ev) == _normalised(_state(engine, reference), reference)
    started = {t["task_id"]: t["started_at"] for t in _tasks(engine, ev)}
    assert started == {
        str(ev.task_ids[0]): None,
        str(ev.task_ids[1]): ev.started(1).started_at.replace(tzinfo=None),
    }


def _normalised(state: tuple[dict[str, Any], list[dict[str, Any]]], ev: JobEvents) -> Any:
    """A job's state with its ids replaced, so two jobs with the same history compare equal.

    ``started_at`` is left out: a ``task.started`` arriving after the final result
    changes nothing, so it is set or not depending on the order.
    """
    job, task_rows = state
    task_rows = [{k: v for k, v in t.items() if k != "started_at"} for t in task_rows]
    ids = {str(ev.job_id): "job", **{str(t): f"task{i}" for i, t in enumerate(ev.task_ids)}}
    job = {**job, "job_id": "job"}
    task_rows = sorted(
        ({**t, "job_id": ids[t["job_id"]], "task_id": ids[t["task_id"]]} for t in task_rows),
        key=lambda t: t["task_id"],
    )
    return job, task_rows


def test_started_after_result_keeps_the_final_row(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [ev.created(0), ev.success(0, LT01)])
    final = _tasks(engine, ev)
    write_batch(engine, [ev.started(0)])
    assert _tasks(engine, ev) == final
    assert final[0]["status"] == TaskStatus.SUCCESS
    assert final[0]["started_at"] is None


@pytest.mark.parametrize("registered_first", [True, False])
def test_result_settled_at_expansion_gets_its_ordinal(engine: Engine, registered_first: bool) -> None:
    """Cache hits and refused files have no task.created: task.registered places them."""
    ev = JobEvents(file_names=("a.sql", "cached.sql"))
    pair = [ev.registered(1), ev.failure(1, "NOT_TEXT")]
    write_batch(engine, [ev.submitted(), ev.created(0), *(pair if registered_first else pair[::-1])])
    write_batch(engine, [ev.expanded(), ev.success(0, LT01)])
    rows = sorted(_tasks(engine, ev), key=lambda t: t["ordinal"])
    assert [(t["ordinal"], t["file_name"], t["status"]) for t in rows] == [
        (0, "a.sql", TaskStatus.SUCCESS),
        (1, "cached.sql", TaskStatus.FAILURE),
    ]
    assert _job(engine, ev)["status"] == JobStatus.PARTIALLY_COMPLETED


def test_first_final_result_wins(engine: Engine) -> None:
    ev = JobEvents(file_names=("only.sql",))
    write_batch(engine, ev.in_order(ev.success(0, LT01)))
    write_batch(engine, [ev.failure(0)])
    (task,) = _tasks(engine, ev)
    assert (task["status"], task["error_code"], task["violation_count"]) == (TaskStatus.SUCCESS, None, 1)
    job = _job(engine, ev)
    assert (job["status"], job["tasks_succeeded"], job["tasks_failed"]) == (JobStatus.COMPLETED, 1, 0)


def test_partial_failure_gives_partially_completed(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, ev.in_order(ev.success(0, LT01), ev.failure(1)))
    job = _job(engine, ev)
    assert (job["status"], job["tasks_succeeded"], job["tasks_failed"]) == (
        JobStatus.PARTIALLY_COMPLETED,
        1,
        1,
    )
    failed = next(t for t in _tasks(engine, ev) if t["status"] == TaskStatus.FAILURE)
    assert (failed["error_code"], failed["error_message"]) == ("FILE_TOO_LARGE", "FILE_TOO_LARGE for file 1")
    assert json.loads(failed["result_json"]) == {
        "filepath": "b.sql",
        "violations": [],
        "error": {"code": "FILE_TOO_LARGE", "message": "FILE_TOO_LARGE for file 1"},
    }


def test_all_failures_give_failed(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, ev.in_order(ev.failure(0), ev.failure(1, "NOT_TEXT")))
    assert _job(engine, ev)["status"] == JobStatus.FAILED


def test_job_stays_processing_until_every_task_is_final(engine: Engine) -> None:
    ev = JobEvents(file_names=("a.sql", "b.sql", "c.sql"))
    write_batch(engine, ev.in_order(ev.success(0), ev.success(2, LT01)))
    job = _job(engine, ev)
    assert (job["status"], job["tasks_succeeded"], job["violation_count"], job["finished_at"]) == (
        JobStatus.PROCESSING,
        2,
        1,
        None,
    )
    write_batch(engine, [ev.success(1)])
    assert _job(engine, ev)["status"] == JobStatus.COMPLETED


def test_results_before_expansion_finish_the_job_on_expansion(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [ev.submitted(), ev.success(0), ev.success(1, LT01)])
    assert _job(engine, ev)["status"] == JobStatus.ACCEPTED
    write_batch(engine, [ev.expanded()])
    job = _job(engine, ev)
    assert (job["status"], job["tasks_succeeded"], job["violation_count"]) == (JobStatus.COMPLETED, 2, 1)


def test_rejected_job_is_failed_and_stays_failed(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [ev.rejected(), ev.submitted(), ev.expanded()])
    job = _job(engine, ev)
    assert (job["status"], job["error_code"], job["error_message"]) == (
        "FAILED",
        "CORRUPT_ARCHIVE",
        "not a zip file",
    )
    assert (job["submission_type"], job["source_name"]) == ("ZIP_ARCHIVE", "batch.zip")
    assert job["finished_at"] == ev.rejected().rejected_at.replace(tzinfo=None)


def test_any_arrival_order_gives_the_same_rows(engine: Engine) -> None:
    reference = JobEvents(file_names=("a.sql", "b.sql", "c.sql"))
    write_batch(
        engine, reference.in_order(reference.success(0, LT01), reference.failure(1), reference.success(2))
    )
    expected = _normalised(_state(engine, reference), reference)
    rng = random.Random(20261123)
    for _ in range(12):
        ev = JobEvents(file_names=reference.file_names)
        records = ev.in_order(ev.success(0, LT01), ev.failure(1), ev.success(2))
        rng.shuffle(records)
        cut = rng.randrange(1, len(records))
        write_batch(engine, records[:cut])
        _one_by_one(engine, records[cut:])
        assert _normalised(_state(engine, ev), ev) == expected, [type(r).__name__ for r in records]


def test_naive_datetimes_are_stored_as_utc(engine: Engine) -> None:
    ev = JobEvents()
    write_batch(engine, [ev.submitted()], now=datetime(2030, 1, 1))
    assert _job(engine, ev)["created_at"] == datetime(2026, 1, 2, 3, 4, 5)

