"""``shutdown`` stops a processors worker cleanly: it leaves the group, its partitions move, nothing is lost.

Real processes: two processors workers share the task partitions; one is told
to shut down while a job's files are being linted. A clean leave moves its
partitions at once (a vanished member would hold them until its session timed
out), and every file of the job still gets its one result.
"""

import time
from pathlib import Path

import pytest

from harness.groups import group_members, wait_members
from harness.stack import Stack
from schemas.events import DEFAULT_TENANT
from schemas.topics import TopicNames
from tests.ops.control_probes import every_result, send_control, wait_final, worker_id, zip_of_data
from tests.ops.stack_probes import private_stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
TWO_WORKERS = ({"PROCESSORS_LINT_WORKERS": "1"}, {"PROCESSORS_LINT_WORKERS": "1"})
ENV = {"PROCESSORS_CACHE_ENABLED": "false"}


def _members(stack: Stack, topics: TopicNames) -> dict[str, list[int]]:
    """Task partitions held by each member of the processors' group."""
    return group_members(stack.settings.kafka, str(stack.settings.processors_group), topics.tasks)


def test_shutdown_leaves_the_group_and_the_partitions_move_with_nothing_lost(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, TWO_WORKERS, **ENV) as (stack, topics):
        area = stack.settings.storage / "imports" / DEFAULT_TENANT  # zip_file_path is relative to it
        area.mkdir(parents=True)
        files = zip_of_data(area / "s.zip", copies=3)
        before = _members(stack, topics)
        status, body = stack.request("POST", "/api/v1/jobs", {"zip_file_path": "s.zip"})
        assert status == 202, body
        time.sleep(1.5)  # files are in flight on both workers
        started = time.monotonic()
        send_control(kafka_bootstrap, topics, worker_id(stack, "processors-0"), "shutdown")
        leaving = stack.services["processors-0"]
        assert leaving.wait(60), "the worker did not stop"
        exited_s = time.monotonic() - started
        group = str(stack.settings.processors_group)
        moved_s = exited_s + wait_members(kafka_bootstrap, group, topics.tasks, 1, timeout=30)
        after = _members(stack, topics)
        job = wait_final(stack, body["job_id"])
        results = every_result(stack, job)

    print(f"shutdown: exited in {exited_s:.1f}s with code {leaving.returncode()}, partitions "
          f"{sorted(before.values())} -> {sorted(after.values())} within {moved_s:.1f}s, "
          f"{len(results)}/{files} results")
    assert leaving.returncode() == 0
    assert len(before) == 2 and list(after.values()) == [[0, 1, 2, 3]]
    assert moved_s < 30  # well inside the session timeout: the member left, it was not timed out
    assert job["task_count"] == files and len(results) == files
