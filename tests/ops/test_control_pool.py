"""``pool_restart`` replaces every lint process of a processors worker and loses no file in flight.

Real processes: a stack whose processors worker has two lint processes; jobs
are submitted before and right after the action, so files are being linted
while the pool is replaced. The sink has no pool and says so in its acknowledgement.
"""

import time
from pathlib import Path

import pytest

from harness.stack import Stack
from schemas.events import DEFAULT_TENANT
from tests.ops.control_probes import (
    acknowledged,
    every_result,
    send_control,
    wait_final,
    worker_id,
    zip_of_data,
)
from tests.ops.stack_probes import lint_processes, private_stack, wait_lint_processes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
TWO_LINT_PROCESSES = ({"PROCESSORS_LINT_WORKERS": "2"},)
# Every file is linted (no answers from the result cache), and heartbeats come every half second.
ENV = {"PROCESSORS_CACHE_ENABLED": "false", "PROCESSORS_HEARTBEAT_INTERVAL_S": "0.5",
       "SINK_HEARTBEAT_INTERVAL_S": "0.5"}


def _wait_linting(stack: Stack, job_id: str, timeout: float = 60) -> int:
    """Files of the job done once its linting has begun (at least one result)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = stack.request("GET", f"/api/v1/jobs/{job_id}?size=1")
        done = job.get("tasks_succeeded", 0) + job.get("tasks_failed", 0) if status == 200 else 0
        if done:
            return int(done)
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} never started linting")


def test_pool_restart_gives_new_lint_processes_and_every_file_its_result(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, TWO_LINT_PROCESSES, **ENV) as (
        stack, topics
    ):
        area = stack.settings.storage / "imports" / DEFAULT_TENANT  # zip_file_path is relative to it
        area.mkdir(parents=True)
        files = zip_of_data(area / "a.zip", copies=4)
        zip_of_data(area / "b.zip", copies=4)
        worker = stack.services["processors"].pid
        before = {p.pid for p in wait_lint_processes(worker, 2)}
        status, first = stack.request("POST", "/api/v1/jobs", {"zip_file_path": "a.zip"})
        assert status == 202, first
        done_at_restart = _wait_linting(stack, first["job_id"])
        started = time.monotonic()
        request_id = send_control(kafka_bootstrap, topics, worker_id(stack, "processors"), "pool_restart")
        status, second = stack.request("POST", "/api/v1/jobs", {"zip_file_path": "b.zip"})
        assert status == 202, second
        beat = acknowledged(kafka_bootstrap, topics, worker_id(stack, "processors"), request_id)
        acked_s = time.monotonic() - started
        after = {p.pid for p in lint_processes(worker)}
        jobs = [wait_final(stack, body["job_id"]) for body in (first, second)]
        results = [every_result(stack, job) for job in jobs]
        sink_request = send_control(kafka_bootstrap, topics, worker_id(stack, "sink", "sink"), "pool_restart")
        sink_beat = acknowledged(kafka_bootstrap, topics, worker_id(stack, "sink", "sink"), sink_request)

    print(f"pool_restart: lint pids {sorted(before)} -> {sorted(after)}, acknowledged in {acked_s:.1f}s; "
          f"sent when {done_at_restart}/{files} files of the first job were done")
    assert done_at_restart < files  # the restart came while the first job was being linted
    assert beat.last_control is not None and beat.last_control.outcome == "done", beat.last_control
    assert len(after) == 2 and not before & after
    assert {p.pid for p in beat.lint_processes} == after
    assert [job["task_count"] for job in jobs] == [files, files]
    assert [len(r) for r in results] == [files, files]
    assert sink_beat.last_control is not None
    assert (sink_beat.last_control.outcome, sink_beat.last_control.detail) == ("failed", "no lint pool")
