"""The processors' Prometheus families, on the app's own registry (served at ``/metrics`` by the kit).

Lint processes never touch a registry: a child returns its measurements
(time, bytes) with its outcome and the parent records them here, so nothing
is lost when a process is recycled or killed, and one registry per worker
is the whole truth. A task is counted once, when its final ``lint.result``
is published, whichever step (expansion or lint) decided it.
"""

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from schemas.events import LintResult
from schemas.statuses import TASK_FINAL
from schemas.worker_events import LintProcess

# A lint takes milliseconds to a minute (the default per-file limit).
LINT_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class LintProcessesCollector(Collector):
    """Busy and idle lint processes, read from the pool at scrape time (never stale)."""

    def __init__(self, processes: Callable[[], Iterable[LintProcess]]) -> None:
        self._processes = processes

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """``sql_linting_lint_processes{state="busy"|"idle"}``."""
        counts = {"busy": 0, "idle": 0}
        for process in self._processes():
            counts[process.state] += 1
        family = GaugeMetricFamily("sql_linting_lint_processes", "Lint processes by state.", labels=["state"])
        for state, count in counts.items():
            family.add_metric([state], count)
        yield family


class ProcessorMetrics:
    """Tasks, lint time and bytes, and the result cache, as the plan names them."""

    def __init__(self, registry: CollectorRegistry, processes: Callable[[], Iterable[LintProcess]]) -> None:
        self.tasks = Counter(
            "sql_linting_tasks", "Tasks whose final lint.result was published, by status.", ["status"],
            registry=registry,
        )
        # Every final status has a series from the start: rate() cannot see a series' first increment.
        for status in sorted(TASK_FINAL):
            self.tasks.labels(status=status.value)
        self.lint_duration = Histogram(
            "sql_linting_lint_duration_seconds", "Time to lint one file in a lint process, by dialect.",
            ["dialect"], buckets=LINT_SECONDS_BUCKETS, registry=registry,
        )
        self.linted_bytes = Counter(
            "sql_linting_linted_bytes", "UTF-8 bytes of SQL linted by the lint processes.", registry=registry
        )
        self.cache_hits = Counter(
            "sql_linting_cache_hits", "Tasks answered from the result cache.", registry=registry
        )
        self.cache_misses = Counter(
            "sql_linting_cache_misses", "Tasks looked up in the result cache and linted.", registry=registry
        )
        registry.register(LintProcessesCollector(processes))

    def result_published(self, result: LintResult) -> None:
        """A task's final result went out: count it (and a cache hit when it came from the cache)."""
        self.tasks.labels(status=result.status.value).inc()
        if result.cached:
            self.cache_hits.inc()

    def linted(self, dialect: str, duration_ms: float, linted_bytes: int) -> None:
        """A lint process's measurements of one file, recorded by the parent."""
        self.lint_duration.labels(dialect=dialect).observe(duration_ms / 1000)
        self.linted_bytes.inc(linted_bytes)
