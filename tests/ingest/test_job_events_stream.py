"""The event stream's state machine: ids and resumption, de-duplication, and when ``end`` may come."""

import uuid
from typing import Any

import pytest

from ingest.job_stream import END_ID, Frame, JobStream, resume_position
from schemas.events import (
    ErrorInfo,
    JobExpanded,
    JobRejected,
    LintResult,
    TaskRegistered,
    TaskStarted,
    Violation,
)
from schemas.statuses import TaskStatus

JOB = uuid.uuid4()
TASKS = [str(uuid.uuid4()) for _ in range(4)]
VIOLATION = Violation(code="LT01", description="d", name="layout.spacing", start_line_no=1, start_line_pos=1)


def job_row(status: str = "PROCESSING", task_count: int | None = 4, **extra: Any) -> dict[str, Any]:
    row = {"job_id": str(JOB), "status": status, "task_count": task_count, "tasks_succeeded": 0,
           "tasks_failed": 0, "error_code": None}
    return {**row, **extra}


def task_row(ordinal: int, status: str = "PENDING", violations: int | None = None) -> dict[str, Any]:
    return {"task_id": TASKS[ordinal], "ordinal": ordinal, "file_name": f"f{ordinal}.sql", "status": status,
            "violation_count": violations, "error_code": "PARSE_ERROR" if status == "FAILURE" else None}


def result(ordinal: int, *, failed: bool = False) -> LintResult:
    if failed:
        return LintResult(job_id=JOB, task_id=uuid.UUID(TASKS[ordinal]), file_name=f"f{ordinal}.sql",
                          status=TaskStatus.FAILURE, error=ErrorInfo(code="PARSE_ERROR", message="x"),
                          dialect="ansi", sqlfluff_version="3")
    return LintResult(job_id=JOB, task_id=uuid.UUID(TASKS[ordinal]), file_name=f"f{ordinal}.sql",
                      status=TaskStatus.SUCCESS, violations=(VIOLATION, VIOLATION), dialect="ansi",
                      sqlfluff_version="3")


def kinds(frames: list[Frame]) -> list[tuple[str, str]]:
    return [(f.event, f.id) for f in frames]


@pytest.mark.parametrize(("raw", "expected"), [(None, 0), ("", 0), (" 3 ", 3), ("0", 0), ("end", None)])
def test_resume_position(raw: str | None, expected: int | None) -> None:
    assert resume_position(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "x", "1.5", "²", str(10**9 + 1), "end2"])
def test_resume_position_refuses_ids_never_sent(raw: str) -> None:
    with pytest.raises(ValueError, match="Last-Event-ID"):
        resume_position(raw)


def test_files_go_out_in_file_order_with_the_position_as_id() -> None:
    stream = JobStream(str(JOB), 0)
    stream.take_rows(job_row(), [task_row(i) for i in range(4)])
    assert kinds(stream.frames()) == [("progress", "0")]
    stream.take_event(result(1))  # finished before file 0: counted now, sent after it
    frames = stream.frames()
    assert kinds(frames) == [("progress", "0")]
    assert frames[0].data == {"task_count": 4, "done": 1, "succeeded": 1, "failed": 0}
    stream.take_event(result(0, failed=True))
    frames = stream.frames()
    assert kinds(frames) == [("file", "1"), ("file", "2"), ("progress", "2")]
    assert frames[0].data == {"task_id": TASKS[0], "file_name": "f0.sql", "status": "FAILURE",
                              "violations": 0, "error_code": "PARSE_ERROR"}
    assert frames[1].data["violations"] == 2
    assert frames[2].data == {"task_count": 4, "done": 2, "succeeded": 1, "failed": 1}


def test_rows_and_live_events_of_one_task_count_once() -> None:
    stream = JobStream(str(JOB), 0)
    stream.take_event(result(0))  # live first (subscribed before the rows were read)
    stream.take_rows(job_row(), [task_row(0, "SUCCESS", 2), task_row(1, "SUCCESS", 0)])
    stream.take_event(result(1))  # replayed on the topic, or raced with the rows
    stream.take_event(result(0))
    frames = stream.frames()
    assert kinds(frames) == [("file", "1"), ("file", "2"), ("progress", "2")]
    assert frames[-1].data["done"] == 2
    assert stream.frames() == []


def test_resuming_skips_what_was_delivered_and_never_repeats() -> None:
    rows = [task_row(i, "SUCCESS", 0) for i in range(4)]
    first = JobStream(str(JOB), 0)
    first.take_rows(job_row(), [*rows[:2], task_row(2), task_row(3)])
    delivered = [f for f in first.frames() if f.event == "file"]
    resumed = JobStream(str(JOB), int(delivered[-1].id))
    resumed.take_rows(job_row("COMPLETED", tasks_succeeded=4), rows)
    again = [f for f in resumed.frames() if f.event == "file"]
    assert [f.data["task_id"] for f in delivered + again] == TASKS


def test_end_waits_for_the_last_file_and_takes_the_status_from_the_database() -> None:
    stream = JobStream(str(JOB), 0)
    stream.take_rows(job_row(task_count=None), [])
    stream.take_event(JobExpanded(job_id=JOB, task_count=2))
    for i in range(2):
        stream.take_event(TaskStarted(job_id=JOB, task_id=uuid.UUID(TASKS[i])))
        stream.take_event(result(i))
    assert [f.event for f in stream.frames()] == ["progress"]  # no place known yet: the sink has not written
    assert stream.waiting_on_sink
    # The sink finished the job before the ingest saw the files' places: still no end before the files.
    stream.take_rows(job_row("COMPLETED", 2, tasks_succeeded=2), [task_row(0, "SUCCESS", 2)])
    assert [f.event for f in stream.frames()] == ["file"]
    finished = [task_row(i, "SUCCESS", 2) for i in range(2)]
    stream.take_rows(job_row("COMPLETED", 2, tasks_succeeded=2), finished)
    frames = stream.frames()
    assert kinds(frames) == [("file", "2"), ("end", END_ID)]
    assert frames[-1].data == {"job_id": str(JOB), "job_status": "COMPLETED", "task_count": 2,
                               "tasks_succeeded": 2, "tasks_failed": 0}
    assert stream.ended and not stream.waiting_on_sink and stream.frames() == []


def test_counts_alone_never_end_a_stream() -> None:
    stream = JobStream(str(JOB), 0)
    stream.take_rows(job_row(task_count=1), [task_row(0)])
    stream.take_event(result(0))
    assert [f.event for f in stream.frames()] == ["file", "progress"]
    assert stream.waiting_on_sink and not stream.ended  # the final status is the sink's


def test_a_rejected_job_ends_with_what_finished() -> None:
    stream = JobStream(str(JOB), 0)
    stream.take_rows(job_row(task_count=None), [])
    stream.take_event(TaskRegistered(job_id=JOB, task_id=uuid.UUID(TASKS[2]), ordinal=2, file_name="f2.sql"))
    stream.take_event(result(2, failed=True))
    stream.take_event(JobRejected(job_id=JOB, error=ErrorInfo(code="EXPANSION_FAILED", message="boom")))
    assert stream.waiting_on_sink
    stream.take_rows(job_row("FAILED", None, tasks_failed=1, error_code="EXPANSION_FAILED"), [])
    frames = stream.frames()
    assert kinds(frames) == [("file", "3"), ("progress", "3"), ("end", END_ID)]
    assert frames[-1].data["job_status"] == "FAILED"
