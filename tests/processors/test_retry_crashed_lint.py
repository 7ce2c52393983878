"""A file whose lint process crashes is retried: SUCCESS after one crash, FAILURE after four.

Real processes throughout: the stack's ingest, sink and processors worker
(one lint process), and the test crashes the lint process that holds the file
with SIGSEGV, which is what a crash in native parser code looks like. The
task's ``attempts`` is read where operators read it, ``GET /api/v1/tasks/{id}``.
"""

import signal
from pathlib import Path
from typing import Any

import pytest

from harness.stack import Stack
from schemas.codec import decode
from schemas.events import TaskRetried
from schemas.routing import events_on
from schemas.topics import TopicNames
from tests.ops.stack_probes import cpu_seconds, private_stack, wait_lint_processes, wait_linting
from tests.processors.kafka_helpers import consume_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
# About 4 s of CPU for SQLFluff: long enough to be caught linting, within its parser's iteration limit.
SLOW_SQL = "select a,b  from t join u on t.id=u.id where x = 1 and y=2;\n" * 1300
ONE_LINT_PROCESS = ({"PROCESSORS_LINT_WORKERS": "1", "PROCESSORS_LINT_TIMEOUT_SECONDS": "200"},)


def _retries(kafka: str, topics: TopicNames, task_id: str, count: int) -> list[TaskRetried]:
    """The task's ``task.retried`` events on the progress topic, once ``count`` are there."""

    def of_task(values: list[bytes]) -> list[TaskRetried]:
        events = [decode(v, *events_on("progress")) for v in values]
        return [e for e in events if isinstance(e, TaskRetried) and str(e.task_id) == task_id]

    return of_task(consume_until(kafka, topics.progress, lambda values: len(of_task(values)) >= count))


def _crash_and_finish(stack: Stack, crashes: int) -> dict[str, Any]:
    """Submit the slow file, crash its lint process ``crashes`` times, return its task once final."""
    worker = stack.services["processors"].pid
    [warm] = wait_lint_processes(worker, 1)
    idle_cpu = cpu_seconds(warm)
    status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": SLOW_SQL, "file_name": "slow.sql"})
    assert status == 202, body
    crashed: set[int] = set()
    for _ in range(crashes):
        process = wait_linting(worker, idle_cpu, crashed)
        process.send_signal(signal.SIGSEGV)
        crashed.add(process.pid)
    print(f"crashed lint processes {sorted(crashed)}")
    job = stack.wait_job(body["job_id"], timeout=200)
    [task] = job["tasks"]
    status, detail = stack.request("GET", f"/api/v1/tasks/{task['task_id']}")
    assert status == 200, detail
    return dict(detail)


def test_a_lint_that_crashes_once_succeeds_on_its_second_attempt(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, ONE_LINT_PROCESS) as (stack, topics):
        task = _crash_and_finish(stack, crashes=1)
        retries = _retries(kafka_bootstrap, topics, task["task_id"], 1)
    assert [(r.attempt, r.backoff_s, r.error.code) for r in retries] == [(2, 0.5, "LINT_CRASHED")]
    assert task["task_status"] == "SUCCESS", (task["error"], task["attempts"])
    assert task["attempts"] == 2
    assert task["violation_count"] > 0


def test_a_lint_that_crashes_every_time_fails_after_four_attempts(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    env = {"PROCESSORS_LINT_RETRY_BACKOFF_S": "0.2"}
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, ONE_LINT_PROCESS, **env) as (
        stack, topics
    ):
        task = _crash_and_finish(stack, crashes=4)
        retries = _retries(kafka_bootstrap, topics, task["task_id"], 3)
    assert [(r.attempt, r.backoff_s) for r in retries] == [(2, 0.2), (3, 0.4), (4, 0.8)]
    assert task["task_status"] == "FAILURE", task
    assert task["error"]["code"] == "LINT_CRASHED"
    assert task["attempts"] == 4
