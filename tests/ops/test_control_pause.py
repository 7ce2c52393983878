"""``pause`` stops one processors worker's partitions: its lag grows, the other goes on; ``resume`` drains it.

Real processes: two processors workers sharing the task partitions. The job
is published straight onto a jobs partition the running worker holds, so its
expansion never waits for the paused one; its files spread over every task partition.
"""

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Producer

from schemas.codec import encode
from schemas.events import JobSubmitted, SubmissionType
from schemas.worker_events import WorkerHeartbeat
from tests.ops.control_probes import (
    acknowledged,
    every_result,
    lag,
    send_control,
    wait_final,
    wait_heartbeat,
    worker_id,
    zip_of_data,
)
from tests.ops.stack_probes import private_stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
TWO_WORKERS = ({"PROCESSORS_LINT_WORKERS": "1"}, {"PROCESSORS_LINT_WORKERS": "1"})
ENV = {"PROCESSORS_CACHE_ENABLED": "false", "PROCESSORS_HEARTBEAT_INTERVAL_S": "0.5"}


def _partitions(beat: WorkerHeartbeat, topic: str) -> list[int]:
    return sorted(a.partition for a in beat.assigned if a.topic == topic)


def _publish_job(kafka: str, topic: str, partition: int) -> str:
    job = JobSubmitted(job_id=uuid.uuid4(), submission_type=SubmissionType.ZIP_ARCHIVE, storage_path="p.zip")
    producer = Producer({"bootstrap.servers": kafka, "acks": "all"})
    producer.produce(topic, encode(job), str(job.job_id).encode(), partition=partition)
    assert producer.flush(30) == 0
    return str(job.job_id)


def _wait_lag(measure: Callable[[], int], done: Callable[[int], bool], timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if done(measure()):
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError("the lag never reached the expected value")


def test_pause_grows_one_workers_lag_while_the_other_goes_on_and_resume_drains_it(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, TWO_WORKERS, **ENV) as (stack, topics):
        files = zip_of_data(stack.settings.storage / "p.zip", copies=2)
        group = str(stack.settings.processors_group)
        paused_id, running_id = worker_id(stack, "processors-0"), worker_id(stack, "processors-1")
        request = send_control(kafka_bootstrap, topics, paused_id, "pause")
        paused = acknowledged(kafka_bootstrap, topics, paused_id, request)
        held = _partitions(paused, topics.tasks)
        others = sorted(set(range(4)) - set(held))
        assert held and others, paused.assigned
        lag_before = lag(kafka_bootstrap, group, topics.tasks, held)
        running = wait_heartbeat(kafka_bootstrap, topics, running_id, lambda b: b.sent_at > paused.sent_at)
        job_id = _publish_job(kafka_bootstrap, topics.jobs, _partitions(running, topics.jobs)[0])
        _wait_lag(lambda: lag(kafka_bootstrap, group, topics.tasks, held), lambda n: n > 0)  # files arrived
        lag_arrived = lag(kafka_bootstrap, group, topics.tasks, held)
        others_done_s = _wait_lag(lambda: lag(kafka_bootstrap, group, topics.tasks, others), lambda n: n == 0)
        time.sleep(3)  # the paused worker has had every chance to consume
        lag_paused = lag(kafka_bootstrap, group, topics.tasks, held)
        request = send_control(kafka_bootstrap, topics, paused_id, "resume")
        resumed = acknowledged(kafka_bootstrap, topics, paused_id, request)
        drained_s = _wait_lag(lambda: lag(kafka_bootstrap, group, topics.tasks, held), lambda n: n == 0)
        job = wait_final(stack, job_id)
        results = every_result(stack, job)

    print(f"pause: paused worker's lag {lag_before} -> {lag_arrived} -> {lag_paused} while the other drained "
          f"its partitions "
          f"in {others_done_s:.1f}s; resume drained it in {drained_s:.1f}s")
    assert paused.state == "paused" and paused.last_control is not None
    assert paused.last_control.outcome == "done"
    assert lag_before == 0 and 0 < lag_arrived <= lag_paused
    assert resumed.state == "running"
    assert job["task_count"] == files and len(results) == files
