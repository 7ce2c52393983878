"""The workers' metric families, the heartbeat's host figures and the Consul definitions: pure parts."""

from pathlib import Path
from uuid import uuid4

from prometheus_client import CollectorRegistry, generate_latest

from processors.metrics import ProcessorMetrics
from processors.settings import ProcessorSettings
from runtime.consul import ttl_check_id, ttl_service
from runtime.faust.heartbeat import worker_service
from runtime.faust.host_usage import existing_parent, host_usage, rss_bytes
from runtime.faust.metrics import KitMetrics
from runtime.faust.worker_state import WorkerState
from schemas.errors import failure
from schemas.events import LintResult
from schemas.statuses import JobStatus, TaskStatus
from schemas.worker_events import LintProcess
from sink.metrics import SinkMetrics


def _result(status: TaskStatus, cached: bool = False) -> LintResult:
    error = failure("NOT_TEXT", "binary") if status is TaskStatus.FAILURE else None
    return LintResult(job_id=uuid4(), task_id=uuid4(), file_name="a.sql", status=status, error=error,
                      dialect="ansi", sqlfluff_version="x", cached=cached)


def test_processor_families_count_tasks_cache_time_bytes_and_processes() -> None:
    registry = CollectorRegistry()
    processes = [LintProcess(pid=10, state="busy", task_id=uuid4()), LintProcess(pid=11, state="idle")]
    metrics = ProcessorMetrics(registry, lambda: processes)
    # Zero before the first task: a rate over the first increment needs the series already there.
    assert registry.get_sample_value("sql_linting_tasks_total", {"status": "FAILURE"}) == 0
    metrics.result_published(_result(TaskStatus.SUCCESS, cached=True))
    metrics.result_published(_result(TaskStatus.FAILURE))
    metrics.linted("ansi", 250.0, 1000)
    metrics.linted("ansi", 10.0, 24)
    sample = registry.get_sample_value
    assert sample("sql_linting_tasks_total", {"status": "SUCCESS"}) == 1
    assert sample("sql_linting_tasks_total", {"status": "FAILURE"}) == 1
    assert sample("sql_linting_cache_hits_total") == 1
    assert sample("sql_linting_linted_bytes_total") == 1024
    assert sample("sql_linting_lint_duration_seconds_count", {"dialect": "ansi"}) == 2
    assert sample("sql_linting_lint_duration_seconds_sum", {"dialect": "ansi"}) == 0.26
    assert sample("sql_linting_lint_processes", {"state": "busy"}) == 1
    processes.append(LintProcess(pid=12, state="idle"))  # read at scrape time, never stale
    assert sample("sql_linting_lint_processes", {"state": "idle"}) == 2


def test_kit_and_sink_families() -> None:
    registry = CollectorRegistry()
    kit, sink = KitMetrics(registry), SinkMetrics(registry)
    kit.parked("jobs", "UNDECODABLE_EVENT")
    kit.rebalances.inc()
    sink.finished({"a": JobStatus.COMPLETED, "b": JobStatus.COMPLETED, "c": JobStatus.FAILED})
    sample = registry.get_sample_value
    assert sample("sql_linting_dead_letters_total", {"topic": "jobs", "code": "UNDECODABLE_EVENT"}) == 1
    assert sample("sql_linting_rebalances_total") == 1
    assert sample("sql_linting_jobs_total", {"status": "COMPLETED"}) == 2
    assert sample("sql_linting_jobs_total", {"status": "FAILED"}) == 1
    assert sample("sql_linting_jobs_total", {"status": "PARTIALLY_COMPLETED"}) == 0
    text = generate_latest(registry).decode()
    for family in ("consumer_lag", "sink_batch_size", "sink_write_duration_seconds"):
        assert f"# TYPE sql_linting_{family}" in text


def test_host_usage_reads_the_disk_of_the_nearest_existing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "not" / "yet"
    assert existing_parent(missing) == tmp_path
    usage = host_usage(missing)
    assert usage.cpu_count >= 1
    assert 0 < usage.memory_used_bytes <= usage.memory_total_bytes
    assert 0 < usage.disk_used_bytes <= usage.disk_total_bytes
    assert rss_bytes() > 10 * 1024 * 1024


def test_worker_service_has_a_ttl_of_three_beats_and_its_metrics_port() -> None:
    settings = ProcessorSettings(heartbeat_interval_s=4, metrics_port=9200)
    state = WorkerState.for_settings("processors", settings)
    service = worker_service(state, settings)
    assert (service["ID"], service["Name"], service["Port"]) == (state.worker_id, "sqllint-processors", 9200)
    assert service["Tags"] == ["processors", "metrics"]
    assert service["Check"]["TTL"] == "12s"
    assert service["Check"]["CheckID"] == ttl_check_id(state.worker_id)
    quiet = ProcessorSettings(heartbeat_interval_s=0.5)
    assert worker_service(state, quiet)["Check"]["TTL"] == "5s"  # never below the floor
    assert "Port" not in worker_service(state, quiet)


def test_ttl_service_starts_passing() -> None:
    service = ttl_service("w-1", "sqllint-sink", 7.5, Tags=["sink"])
    assert service["Check"]["Status"] == "passing"
    assert service["Check"]["TTL"] == "7.5s"
    assert service["Tags"] == ["sink"]
