"""A running stack's workers: heartbeats on the workers topic, /metrics on their ports, a tombstone on stop.

Real processes (the harness), a private topic set and groups; the workers
beat every 0.5 s so each assertion waits a few seconds at most.
"""

import time
from collections.abc import Iterator

import pytest

from harness.stack import Stack, running
from schemas.topics import TopicNames
from schemas.worker_events import WorkerHeartbeat
from tests.ops.conftest import ops_stack_settings
from tests.ops.workers_topic import Beats, latest_beats, scrape, total

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
SQL = "select a,b from t where x=1\n"


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, ops_topics: TopicNames, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Stack]:
    with running(ops_stack_settings(kafka_bootstrap, tmp_path_factory.mktemp("ops"), ops_topics)) as started:
        yield started


def _both_serving(latest: Beats) -> bool:
    beats = [b for b in latest.values() if b is not None]
    pools_up = all(len(b.lint_processes) == 2 for b in beats if b.role == "processors")
    return {b.role for b in beats if b.assigned} == {"processors", "sink"} and pools_up


def _by_role(stack: Stack, topics: TopicNames) -> dict[str, WorkerHeartbeat]:
    latest = latest_beats(stack.settings.kafka, topics.workers, _both_serving)
    return {b.role: b for b in latest.values() if b is not None}


def _port(stack: Stack, service: str) -> int:
    return int(stack.env[f"{service.upper()}_METRICS_PORT"])


def test_each_worker_beats_with_identity_assignment_and_host(stack: Stack, ops_topics: TopicNames) -> None:
    beats = _by_role(stack, ops_topics)
    assert set(beats) == {"processors", "sink"}
    for role, beat in beats.items():
        assert beat.worker_id.startswith(f"{role}@") and beat.worker_id.endswith(f"-{beat.pid}")
        assert beat.pid == stack.services[role].pid
        assert beat.client_id == beat.worker_id  # the consumer group's members name the worker
        assert beat.consumer_group == stack.env[f"{role.upper()}_CONSUMER_GROUP_ID"]
        assert (beat.interval_s, beat.state) == (0.5, "running")
        assert beat.rss_bytes > 20 * 1024 * 1024
        assert beat.host_usage is not None and beat.host_usage.disk_total_bytes > 0
    assigned = {(a.topic, a.partition) for a in beats["processors"].assigned}
    assert assigned >= {(ops_topics.tasks, p) for p in range(4)}
    assert {p.state for p in beats["processors"].lint_processes} == {"idle"}


def test_lint_work_shows_in_heartbeats_and_in_workers_metrics(stack: Stack, ops_topics: TopicNames) -> None:
    bodies = [{"sql_content": SQL * (i + 1), "dialect": "ansi"} for i in range(3)]
    for body in bodies:
        status, job = stack.request("POST", "/api/v1/jobs", body)
        assert status == 202, job
        assert stack.wait_job(job["job_id"])["job_status"] == "COMPLETED"
    deadline = time.monotonic() + 30
    sink = scrape(_port(stack, "sink"))
    while total(sink, "sql_linting_jobs_total") < 3 and time.monotonic() < deadline:
        time.sleep(0.3)  # the counter follows the sink's commit, the API may answer first
        sink = scrape(_port(stack, "sink"))
    assert total(sink, "sql_linting_jobs_total", status="COMPLETED") == 3
    for family in ("sql_linting_sink_batch_size_count", "sql_linting_sink_write_duration_seconds_count",
                   "sql_linting_rebalances_total", "sql_linting_sink_events_written_total"):
        assert total(sink, family) >= 1, family
    proc = scrape(_port(stack, "processors"))
    assert total(proc, "sql_linting_tasks_total", status="SUCCESS") == 3
    assert total(proc, "sql_linting_cache_misses_total") == 3
    assert total(proc, "sql_linting_lint_duration_seconds_count", dialect="ansi") == 3
    assert total(proc, "sql_linting_linted_bytes_total") == len(SQL) * (1 + 2 + 3)
    assert total(proc, "sql_linting_lint_processes", state="idle") == 2
    lagging = {dict(labels)["partition"] for name, labels in proc if name == "sql_linting_consumer_lag"}
    assert len(lagging) >= 4
    done = latest_beats(stack.settings.kafka, ops_topics.workers, lambda latest: any(
        b is not None and b.role == "processors" and b.files_done == 3 for b in latest.values()))
    processors = next(b for b in done.values() if b is not None and b.role == "processors")
    assert (processors.files_done, processors.files_failed, processors.current_tasks) == (3, 0, ())
    assert sum(p.files_done for p in processors.lint_processes) == 3


def test_a_clean_stop_leaves_a_tombstone_for_the_worker(stack: Stack, ops_topics: TopicNames) -> None:
    sink_id = _by_role(stack, ops_topics)["sink"].worker_id
    stack.stop("sink")
    latest = latest_beats(stack.settings.kafka, ops_topics.workers,
                          lambda latest: sink_id in latest and latest[sink_id] is None)
    assert latest[sink_id] is None
    assert stack.services["sink"].returncode() == 0
