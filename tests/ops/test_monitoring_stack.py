"""The operations API over a real stack: its own heartbeating workers, their queues, health and control.

Real processes (the harness's ingest, sink and one processors worker) on
MariaDB and private topics; the ingest is told the stack's groups through
INGEST_CONSUMER_GROUPS and its operator token through OPERATOR_TOKEN, as an
operator would. Everything is observed over HTTP, as the dashboard does.
"""

import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from harness import resources
from harness.settings import StackSettings, lint_layout
from harness.stack import Stack, running
from runtime.faust.worker_state import worker_id_for
from schemas.monitoring import QueuesView, WorkersHealth, WorkersView, WorkerView

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
T = TypeVar("T")
TOKEN = "operator-token-for-the-stack"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def stack(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("monitoring")
    group = f"mon-{resources.short_id()}"
    env = {
        "OPERATOR_TOKEN": TOKEN,
        "INGEST_CONSUMER_GROUPS": json.dumps({f"{group}-proc": "processors", f"{group}-sink": "sink"}),
        "PROCESSORS_HEARTBEAT_INTERVAL_S": "0.5",
        "SINK_HEARTBEAT_INTERVAL_S": "0.5",
        "PROCESSORS_CACHE_ENABLED": "false",
    }
    with (
        resources.temporary_topics(kafka_bootstrap, "mon", strict=False) as topics,
        resources.migrated_database(mysql_server_url) as db_url,
    ):
        settings = StackSettings(
            kafka_bootstrap,
            db_url,
            workdir,
            storage=workdir / "storage",
            topics=topics,
            group=group,
            partitions=4,
            port=resources.free_port(),
            processors=lint_layout(1),
            env=env,
        )
        (workdir / "storage").mkdir()
        with running(settings) as started:
            yield started


def eventually(probe: Callable[[], T | None], within: float = 90) -> T:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.3)
    raise AssertionError(f"nothing within {within}s")


def get(stack: Stack, path: str) -> tuple[int, Any]:
    return stack.request("GET", path)


def workers(stack: Stack) -> dict[str, WorkerView]:
    status, body = get(stack, "/api/v1/monitoring/workers")
    assert status == 200, body
    view = WorkersView.model_validate_json(json.dumps(body))
    return {w.worker_id: w for w in view.workers if w.consumer_group.startswith(stack.settings.group or "")}


def own_id(stack: Stack, name: str) -> str:
    return worker_id_for(
        "processors" if name == "processors" else "sink", socket.gethostname(), stack.services[name].pid
    )


def both_beating(stack: Stack) -> dict[str, WorkerView] | None:
    found = workers(stack)
    wanted = {own_id(stack, "processors"), own_id(stack, "sink")}
    beating = {k: w for k, w in found.items() if w.last_heartbeat is not None and w.in_group and w.assigned}
    return found if set(beating) == wanted == set(found) else None


def test_real_workers_appear_with_their_heartbeats(stack: Stack) -> None:
    found = eventually(lambda: both_beating(stack))
    proc = found[own_id(stack, "processors")]
    assert proc.role == "processors" and proc.pid == stack.services["processors"].pid
    assert proc.consumer_group == f"{stack.settings.group}-proc" and proc.member_id
    assert len(proc.lint_processes) == 2 and proc.rss_bytes > 0
    status, one = get(stack, f"/api/v1/monitoring/workers/{proc.worker_id}")
    assert status == 200 and one["pid"] == proc.pid
    status, health = get(stack, "/api/v1/health/workers")
    assert status == 200, health
    assert WorkersHealth.model_validate_json(json.dumps(health)).alive == {"processors": 1, "sink": 1}


def test_a_job_shows_in_counters_and_queues(stack: Stack) -> None:
    eventually(lambda: both_beating(stack))
    status, accepted = stack.request("POST", "/api/v1/jobs", {"sql_content": "select a from t\n"})
    assert status == 202
    stack.wait_job(accepted["job_id"])
    proc_id = own_id(stack, "processors")
    eventually(lambda: True if workers(stack)[proc_id].files_done >= 1 else None)

    def drained() -> QueuesView | None:
        status, body = get(stack, "/api/v1/monitoring/queues")
        assert status == 200, body
        view = QueuesView.model_validate_json(json.dumps(body))
        # A one-line job is a small one: its task took the express lane (PROCESSORS_EXPRESS_MAX_FILES).
        tasks = next(t for t in view.topics if t.name == "express_tasks")
        readers = {g.group_id: g.lag for g in tasks.groups}
        return view if readers.get(f"{stack.settings.group}-proc") == 0 and tasks.messages >= 1 else None

    eventually(drained)


def test_control_is_guarded_and_acknowledged(stack: Stack) -> None:
    eventually(lambda: both_beating(stack))
    proc_id = own_id(stack, "processors")
    url = f"/api/v1/monitoring/workers/{proc_id}/control"
    wrong = {"Authorization": "Bearer no"}
    status, body = stack.request("POST", url, {"action": "reset_stats"}, headers=wrong)
    assert (status, body["error"]["code"]) == (401, "UNAUTHORIZED")
    status, body = stack.request("POST", url, {"action": "reset_stats"}, headers=AUTH)
    assert status == 202, body

    def acked() -> WorkerView | None:
        worker = workers(stack)[proc_id]
        ack = worker.last_control
        return worker if ack is not None and str(ack.request_id) == body["request_id"] else None

    worker = eventually(acked)
    assert worker.last_control is not None and worker.last_control.outcome == "done"
    assert (worker.files_done, worker.files_failed) == (0, 0)


def test_a_stopped_worker_leaves_and_health_says_why(stack: Stack) -> None:
    eventually(lambda: both_beating(stack))
    sink_id = own_id(stack, "sink")
    stack.stop("sink")
    eventually(lambda: True if sink_id not in workers(stack) else None, within=30)
    status, health = get(stack, "/api/v1/health/workers")
    assert status == 503
    assert "no live sink worker" in health["reasons"]
