"""``reset_stats`` zeroes the counters a processors worker reports in its heartbeats."""

from pathlib import Path

import pytest

from schemas.events import DEFAULT_TENANT
from tests.ops.control_probes import (
    acknowledged,
    send_control,
    wait_final,
    wait_heartbeat,
    worker_id,
    zip_of_data,
)
from tests.ops.stack_probes import private_stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]
ENV = {"PROCESSORS_CACHE_ENABLED": "false", "PROCESSORS_HEARTBEAT_INTERVAL_S": "0.5"}


def test_reset_stats_zeroes_the_heartbeat_counters(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, ({},), **ENV) as (stack, topics):
        area = stack.settings.storage / "imports" / DEFAULT_TENANT  # zip_file_path is relative to it
        area.mkdir(parents=True)
        files = zip_of_data(area / "r.zip", copies=1)
        status, body = stack.request("POST", "/api/v1/jobs", {"zip_file_path": "r.zip"})
        assert status == 202, body
        job = wait_final(stack, body["job_id"])
        worker = worker_id(stack, "processors")
        counted = wait_heartbeat(kafka_bootstrap, topics, worker,
                                 lambda beat: beat.files_done + beat.files_failed == files)
        request = send_control(kafka_bootstrap, topics, worker, "reset_stats")
        reset = acknowledged(kafka_bootstrap, topics, worker, request)

    print(f"reset_stats: files done/failed {counted.files_done}/{counted.files_failed} -> "
          f"{reset.files_done}/{reset.files_failed}")
    assert job["task_count"] == files
    assert reset.last_control is not None and reset.last_control.outcome == "done"
    assert (reset.files_done, reset.files_failed) == (0, 0)
    assert reset.state == "running"
