"""Helpers of the control tests: send an action, read heartbeats, measure a group's lag, poll a job.

Actions go straight onto the control topic as the ingest would publish them
(the routing table's topic and key, the codec's bytes); their outcomes come
back in the worker's heartbeats on the workers topic.
"""

import socket
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from harness.results_topic import unread
from harness.stack import FINAL, Stack
from runtime.faust.worker_state import worker_id_for
from schemas.codec import decode, encode
from schemas.routing import route
from schemas.topics import TopicNames
from schemas.worker_events import ControlAction, WorkerControl, WorkerHeartbeat, WorkerRole

DATA = Path(__file__).parents[1] / "data" / "sql"


def worker_id(stack: Stack, name: str, role: WorkerRole = "processors") -> str:
    """The worker id of the stack's service ``name`` (a process of this host)."""
    return worker_id_for(role, socket.gethostname(), stack.services[name].pid)


def send_control(kafka: str, topics: TopicNames, worker: str, action: ControlAction) -> uuid.UUID:
    """Publish one ``worker.control`` for ``worker``; its request id."""
    control = WorkerControl(request_id=uuid.uuid4(), worker_id=worker, action=action)
    topic, key = route(control, topics)
    producer = Producer({"bootstrap.servers": kafka, "acks": "all"})
    producer.produce(topic, encode(control), key)
    assert producer.flush(30) == 0
    return control.request_id


def wait_heartbeat(kafka: str, topics: TopicNames, worker: str, done: Callable[[WorkerHeartbeat], bool],
                   timeout: float = 60) -> WorkerHeartbeat:
    """The first heartbeat of ``worker`` (from the topic's start) for which ``done`` holds."""
    consumer = Consumer({"bootstrap.servers": kafka, "group.id": f"t-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topics.workers])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None or msg.value() is None:
                continue
            beat = decode(msg.value(), WorkerHeartbeat)
            if beat.worker_id == worker and done(beat):
                return beat
    finally:
        consumer.close()
    raise TimeoutError(f"no matching heartbeat of {worker} in {timeout}s")


def acknowledged(kafka: str, topics: TopicNames, worker: str, request_id: uuid.UUID,
                 timeout: float = 90) -> WorkerHeartbeat:
    """The first heartbeat carrying the acknowledgement of ``request_id``."""
    return wait_heartbeat(
        kafka, topics, worker,
        lambda b: b.last_control is not None and b.last_control.request_id == request_id, timeout,
    )


def lag(kafka: str, group: str, topic: str, partitions: list[int]) -> int:
    """Records of ``topic``'s ``partitions`` that ``group`` has not committed yet, as a reader gets them."""
    return unread(kafka, group, [TopicPartition(topic, p) for p in partitions])


def zip_of_data(path: Path, copies: int) -> int:
    """A ZIP of the test SQL files ``copies`` times over; the number of files in it."""
    files = sorted(DATA.rglob("*.sql"))
    with zipfile.ZipFile(path, "w") as zf:
        for copy in range(copies):
            for file in files:
                zf.write(file, f"copy{copy}/{file.relative_to(DATA).as_posix()}")
    return copies * len(files)


def wait_final(stack: Stack, job_id: str, timeout: float = 180) -> dict[str, Any]:
    """Poll the job until final, whatever became of the workers (a test may stop one)."""
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status, job = stack.request("GET", f"/api/v1/jobs/{job_id}?size=500")
        if status == 200 and job["job_status"] in FINAL:
            return job
        time.sleep(0.3)
    raise TimeoutError(f"job {job_id} not final in {timeout}s: {job}")


def every_result(stack: Stack, job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's results; asserts each of its files has one and none lost its lint process."""
    status, body = stack.request("GET", f"/api/v1/jobs/{job['job_id']}/results")
    assert status == 200, body
    results = body["results"] if isinstance(body, dict) else body
    assert len(results) == job["task_count"]
    assert job["tasks_succeeded"] + job["tasks_failed"] == job["task_count"]
    lost = [t for t in job["tasks"] if t["error"] and t["error"]["code"] in {"LINT_CRASHED", "LINT_MEMORY"}]
    assert not lost, lost
    return list(results)
