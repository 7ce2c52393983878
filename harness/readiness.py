"""When is a stack ready? When the ingest says so and every Faust worker holds partitions.

The ingest's ``/health/ready`` checks Kafka, the database and the storage root.
A Faust worker has no such page (its web server is off unless a metrics port
is set); its consumer group tells instead: a worker counts once the group
coordinator has given it partitions, so a job sent after readiness is consumed
at once, not after a rebalance.
"""

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from harness.groups import wait_members
from processors.settings import ProcessorSettings
from schemas.topics import TopicNames
from sink.settings import SinkSettings

if TYPE_CHECKING:
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


def wait_ready(stack: "Stack", timeout: float = 120.0) -> None:
    """The ingest answers ready, then each worker service has all its workers in its group."""
    wait_http(stack, timeout)
    for module, (group, topic) in worker_groups(stack.env).items():
        count = sum(1 for s in stack.services.values() if s.module == module)
        if count:
            wait_members(stack.settings.kafka, group, topic, count, timeout, stack.assert_alive)
