"""The host gauges a worker sets from its heartbeat's sample: what the CPU, memory and disk alerts read."""

from pathlib import Path

from prometheus_client import CollectorRegistry

from runtime.faust.host_usage import host_usage
from runtime.faust.metrics import KitMetrics
from schemas.worker_events import HostUsage

USAGE = HostUsage(cpu_percent=42.5, cpu_count=4, memory_total_bytes=8 << 30, memory_used_bytes=6 << 30,
                  disk_total_bytes=200 << 30, disk_used_bytes=190 << 30, load_1m=1.0)


def test_the_heartbeat_sample_becomes_percentages_by_host() -> None:
    registry = CollectorRegistry()
    metrics = KitMetrics(registry)
    metrics.host_usage("vm-1", USAGE)
    sample = registry.get_sample_value
    assert sample("sql_linting_host_cpu_percent", {"host": "vm-1"}) == 42.5
    assert sample("sql_linting_host_memory_percent", {"host": "vm-1"}) == 75.0
    assert sample("sql_linting_host_disk_percent", {"host": "vm-1"}) == 95.0
    metrics.host_usage("vm-1", USAGE.model_copy(update={"cpu_percent": 3.0}))  # the newest sample wins
    assert sample("sql_linting_host_cpu_percent", {"host": "vm-1"}) == 3.0


def test_an_empty_filesystem_reads_zero_and_a_real_sample_stays_in_range() -> None:
    registry = CollectorRegistry()
    metrics = KitMetrics(registry)
    metrics.host_usage("odd", USAGE.model_copy(update={"disk_total_bytes": 0, "disk_used_bytes": 0}))
    assert registry.get_sample_value("sql_linting_host_disk_percent", {"host": "odd"}) == 0.0
    metrics.host_usage("here", host_usage(Path("/")))
    for family in ("cpu", "memory", "disk"):
        value = registry.get_sample_value(f"sql_linting_host_{family}_percent", {"host": "here"})
        assert value is not None and 0 <= value <= 100, (family, value)
