"""Static group membership on a real broker: a worker killed and started again with its slot id: back at once.

The sink is the worker here (it starts in seconds, with no lint pool); its
``/health/ready`` says whether it holds partitions. The session timeout is set
to 60 s, so a worker ready again well before that can only have taken its
partitions back as the same static member, not after the dead one timed out.
A clean stop leaves the group even so: its partitions are free at once.
"""

import json
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from harness import resources
from harness.settings import StackSettings
from harness.stack import Stack, new_stack
from schemas.topics import TopicNames
from sink.migrate import upgrade

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]
LONG_SESSION_S = 60


def ready(port: int) -> tuple[int, dict[str, str]]:
    """The worker's ``/health/ready`` status and body; (0, {}) while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return 0, {}


def wait_ready(stack: Stack, port: int, within: float) -> list[dict[str, str]]:
    """Every not-ready answer until the worker answers 200; fails after ``within`` seconds."""
    seen = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        stack.assert_alive()
        status, body = ready(port)
        if status == 200:
            return seen
        if status == 503:
            seen.append(body)
        time.sleep(0.2)
    raise AssertionError(f"not ready within {within} s; answers: {seen[-3:]}")


def test_a_killed_worker_with_the_same_instance_id_is_back_before_its_session_ends(
    kafka_bootstrap: str, topic_names: TopicNames, tmp_path: Path, unique_id: str
) -> None:
    database = resources.sqlite_url(tmp_path / "sqllint.db")
    upgrade(database)
    port = resources.free_port()
    settings = StackSettings(kafka_bootstrap, database, tmp_path, storage=tmp_path / "storage",
                             topics=topic_names, group=f"static-{unique_id}", pipeline=False,
                             env={"BROKER_SESSION_TIMEOUT": str(LONG_SESSION_S),
                                  "SINK_METRICS_PORT": str(port), "SINK_GROUP_INSTANCE_ID": "sink-0"})
    stack = new_stack(settings)
    group = f"static-{unique_id}-sink"
    try:
        stack.start("sink", "sink")
        first = wait_ready(stack, port, 60)
        # A sink may hold its partitions before its page first answers: every not-ready answer says why.
        assert all({"status": "not_ready", "reason": "waiting for partitions"}.items() <= answer.items()
                   for answer in first)
        stack.kill("sink")
        stack.restart("sink")
        wait_ready(stack, port, LONG_SESSION_S / 2)  # dynamic membership would wait out the 60 s
        admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
        members = admin.describe_consumer_groups([group])[group].result(timeout=30).members
        assert [m.group_instance_id for m in members] == ["sink-0"]  # the dead one was replaced, not added
        stack.services["sink"].signal(signal.SIGTERM)
        assert stack.services["sink"].wait(30)
        description = admin.describe_consumer_groups([group])[group].result(timeout=30)
        assert description.members == []  # left on a clean stop, static or not
    finally:
        stack.stop_all()
