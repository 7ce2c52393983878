"""Lint attempts on a task: retried crashes are counted, in any arrival order."""

import pytest
from sqlalchemy import Engine, select

from runtime.tables import tasks
from schemas.events import ErrorInfo, TaskRetried
from schemas.statuses import TaskStatus
from sink.store import write_batch
from tests.sink._events import LT01, JobEvents


def _task(engine: Engine, events: JobEvents) -> dict[str, object]:
    with engine.connect() as conn:
        (row,) = conn.execute(select(tasks).where(tasks.c.job_id == str(events.job_id))).mappings()
        return dict(row)


@pytest.mark.parametrize("order", ["in_order", "reversed"])
def test_retried_lints_show_their_highest_attempt_on_the_task(engine: Engine, order: str) -> None:
    """A crashed lint retried twice then linted: attempts 3, whatever order the events came in."""
    ev = JobEvents(file_names=("crashy.sql",))
    crash = ErrorInfo(code="LINT_CRASHED", message="the worker crashed with exit code -9")
    retries = [
        TaskRetried(task_id=ev.task_ids[0], job_id=ev.job_id, attempt=n, error=crash, backoff_s=0.5 * n)
        for n in (2, 3)
    ]
    events = [ev.created(0), ev.started(0), *retries, ev.success(0, LT01)]
    for event in events if order == "in_order" else events[::-1]:
        write_batch(engine, [event])
    task = _task(engine, ev)
    assert (task["status"], task["attempts"], task["violation_count"]) == (TaskStatus.SUCCESS, 3, 1)


def test_a_task_linted_once_has_one_attempt(engine: Engine) -> None:
    ev = JobEvents(file_names=("plain.sql",))
    write_batch(engine, ev.in_order(ev.success(0, LT01)))
    task = _task(engine, ev)
    assert task["attempts"] == 1
