"""``pause`` stops one processors worker's partitions: its lag grows, the other goes on; ``resume`` drains it.

Real processes: two processors workers sharing the task partitions. The job
is published straight onto a jobs partition the running worker holds, so its
expansion never waits for the paused one; its files spread over every task partition.
"""

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from harness.groups import group_members
from harness.stack import Stack
from schemas.codec import encode
from schemas.events import DEFAULT_TENANT, JobSubmitted, SubmissionType
from schemas.topics import TopicNames
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
    # An outside producer's job names its archive in its tenant's import area, where the processors read.
    job = JobSubmitted(
        job_id=uuid.uuid4(),
        submission_type=SubmissionType.ZIP_ARCHIVE,
        storage_path=f"imports/{DEFAULT_TENANT}/p.zip",
    )
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


def _wait_members(kafka: str, group: str, topic: str, count: int, timeout: float = 90) -> None:
    """Until ``count`` members are in the group and its rebalance settled (Faust may leave one idle)."""
    deadline = time.monotonic() + timeout
    while len(group_members(kafka, group, topic)) != count:
        assert time.monotonic() < deadline, f"the group never had {count} members"
        time.sleep(0.5)
    time.sleep(3)


def _paused_phase(stack: Stack, topics: TopicNames, paused_id: str, since: datetime) -> dict[str, Any]:
    """Publish a job while ``paused_id`` is paused: its lag grows and stays while the others drain theirs."""
    kafka, group = stack.settings.kafka, str(stack.settings.processors_group)
    paused = wait_heartbeat(kafka, topics, paused_id, lambda b: b.sent_at > since)
    held = _partitions(paused, topics.tasks)
    others = sorted(set(range(4)) - set(held))
    free_jobs = sorted(set(range(2)) - set(_partitions(paused, topics.jobs)))
    assert held and others and free_jobs, paused.assigned
    before = lag(kafka, group, topics.tasks, held)
    job_id = _publish_job(kafka, topics.jobs, free_jobs[0])  # expanded by a running worker
    _wait_lag(lambda: lag(kafka, group, topics.tasks, held), lambda n: n > before)  # its files arrived
    arrived = lag(kafka, group, topics.tasks, held)
    others_done_s = _wait_lag(lambda: lag(kafka, group, topics.tasks, others), lambda n: n == 0)
    time.sleep(3)  # the paused worker has had every chance to consume
    return {"state": paused.state, "held": held, "job_id": job_id, "lags": (before, arrived,
            lag(kafka, group, topics.tasks, held)), "others_done_s": others_done_s}


def test_pause_grows_one_workers_lag_while_the_others_go_on_even_across_a_rebalance_and_resume_drains_it(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, TWO_WORKERS, **ENV) as (stack, topics):
        area = stack.settings.storage / "imports" / DEFAULT_TENANT  # where a job may name its archive
        area.mkdir(parents=True)
        files = zip_of_data(area / "p.zip", copies=2)
        group = str(stack.settings.processors_group)
        paused_id = worker_id(stack, "processors-0")
        request = send_control(kafka_bootstrap, topics, paused_id, "pause")
        paused = acknowledged(kafka_bootstrap, topics, paused_id, request)
        first = _paused_phase(stack, topics, paused_id, paused.sent_at)
        stack.start("processors-2", "processors", PROCESSORS_LINT_WORKERS="1")  # a rebalance
        _wait_members(kafka_bootstrap, group, topics.tasks, 3)
        second = _paused_phase(stack, topics, paused_id, datetime.now(UTC))
        request = send_control(kafka_bootstrap, topics, paused_id, "resume")
        resumed = acknowledged(kafka_bootstrap, topics, paused_id, request)
        held = sorted(set(first["held"]) | set(second["held"]))
        drained_s = _wait_lag(lambda: lag(kafka_bootstrap, group, topics.tasks, held), lambda n: n == 0)
        jobs = [wait_final(stack, phase["job_id"]) for phase in (first, second)]
        results = [every_result(stack, job) for job in jobs]

    for name, phase in (("pause", first), ("after a rebalance", second)):
        print(f"{name}: paused worker's lag on {phase['held']} {' -> '.join(map(str, phase['lags']))} "
              f"while the others drained theirs in {phase['others_done_s']:.1f}s")
    print(f"resume: drained in {drained_s:.1f}s")
    assert paused.last_control is not None and paused.last_control.outcome == "done"
    assert first["lags"][0] == 0
    for phase in (first, second):
        before, arrived, later = phase["lags"]
        assert phase["state"] == "paused" and before < arrived <= later
    assert resumed.state == "running"
    assert [len(r) for r in results] == [files, files]
