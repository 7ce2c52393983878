"""When is a stack ready? When the ingest says so and every Faust worker holds partitions.

The ingest's ``/health/ready`` checks Kafka, the database and the storage root.
A Faust worker's own ``/health/ready`` (on its web port, which the harness gives
each worker) answers 200 once the group coordinator has given it partitions, so
a job sent after readiness is consumed at once, not after a rebalance. The group's
description cannot tell: after a crash the dead process's member still holds the
partitions until its session ends, and a static member taken back keeps the dead
process's client id. Without a web port, the group's view is all there is.
"""

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from harness import http
from harness.groups import wait_members
from processors.settings import ProcessorSettings
from schemas.topics import TopicNames
from sink.settings import SinkSettings

if TYPE_CHECKING:
    from harness.process import Service
    from harness.stack import Stack


def wait_http(stack: "Stack", timeout: float = 90.0) -> float:
    """Seconds until ``/health/ready`` answers 200; a service that dies fails the wait at once."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        stack.assert_alive()
        try:
            if stack.request("GET", "/health/ready")[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise TimeoutError(f"the ingest at {stack.base_url} never became ready in {timeout}s")


def worker_groups(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Service module -> (consumer group, a topic it consumes), as the services read them from ``env``."""
    defaults = TopicNames()
    tasks = env.get("TOPICS__TASKS") or defaults.tasks
    progress = env.get("TOPICS__PROGRESS") or defaults.progress
    return {
        "processors": (env.get("PROCESSORS_CONSUMER_GROUP_ID")
                       or str(ProcessorSettings.model_fields["consumer_group_id"].default), tasks),
        "sink": (env.get("SINK_CONSUMER_GROUP_ID")
                 or str(SinkSettings.model_fields["consumer_group_id"].default), progress),
    }


def wait_worker(stack: "Stack", service: "Service", port: int, timeout: float) -> str:
    """Until the worker's own ``/health/ready`` answers 200; the error says its last reason why not."""
    started = time.monotonic()
    reason = "not listening yet"
    while time.monotonic() - started < timeout:
        stack.assert_alive()
        try:
            status, body = http.request(f"http://127.0.0.1:{port}", "GET", "/health/ready", timeout=5)
        except OSError:
            status, body = 0, None
        if status == 200:
            return str(body.get("reason", "")) if isinstance(body, dict) else ""
        if isinstance(body, dict):
            reason = str(body.get("reason", reason))
        time.sleep(0.2)
    raise TimeoutError(f"{service.name} not ready in {timeout}s: {reason}")


def wait_ready(stack: "Stack", timeout: float = 120.0) -> None:
    """The ingest answers ready, then each worker says it holds partitions (without a web port: its group)."""
    wait_http(stack, timeout)
    for module, (group, topic) in worker_groups(stack.env).items():
        workers = [s for s in stack.services.values() if s.module == module]
        ports = [int(s.env.get(f"{module.upper()}_METRICS_PORT") or 0) for s in workers]
        if workers and all(ports):
            for service, port in zip(workers, ports, strict=True):
                wait_worker(stack, service, port, timeout)
        elif workers:  # no page to ask: the group's view, which a crashed member can still fool
            wait_members(stack.settings.kafka, group, topic, len(workers), timeout, stack.assert_alive)
