"""A Prometheus registry per app, served at ``/metrics`` by the worker's own web server.

Per app, not the process-global registry: two apps in one process (the
tests start many) never share or re-register a counter. The worker's web
server is on only when ``metrics_port`` is set, so one port serves both.
:class:`KitMetrics` holds what every Faust worker reports the same way
(dead letters, rebalances, consumer lag, the host's usage), so the two services
cannot drift. The host gauges are set from the heartbeat's own sample: the
alerts read what the monitoring API shows, and psutil is not asked twice.
"""

import asyncio
import logging
from collections.abc import Collection

import faust
from faust.types import TP, ConsumerT
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest

from runtime.settings import WorkerSettings
from schemas.worker_events import HostUsage

log = logging.getLogger(__name__)
METRICS_PATH = "/metrics"
# Asking the broker for offsets must never hold a heartbeat up for long.
LAG_TIMEOUT_S = 5.0


def _metrics_view(registry: CollectorRegistry) -> type[View]:
    class MetricsView(View):
        """The registry in Prometheus' text format."""

        async def get(self, request: Request) -> Response:
            """Scraped by Prometheus; cheap, so no caching."""
            return self.bytes(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return MetricsView


def metrics_registry(app: faust.App, settings: WorkerSettings) -> CollectorRegistry:
    """A fresh registry for ``app``, exposed on its web server when ``metrics_port`` is set."""
    registry = CollectorRegistry(auto_describe=True)
    if settings.metrics_port:
        app.page(METRICS_PATH, name="metrics")(_metrics_view(registry))
    return registry


def _host_gauge(registry: CollectorRegistry, what: str, doc: str) -> Gauge:
    """``sql_linting_host_<what>_percent{host}``: the label lets workers sharing a host be told apart."""
    return Gauge(f"sql_linting_host_{what}_percent", f"{doc} Percent.", ["host"], registry=registry)


def _percent(used: int, total: int) -> float:
    return 100.0 * used / total if total else 0.0


class KitMetrics:
    """The families every worker of the pipeline has, whatever its agents do."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.dead_letters = Counter(
            "sql_linting_dead_letters",
            "Messages parked on the dead-letter topic, by source topic and error code.",
            ["topic", "code"],
            registry=registry,
        )
        self.rebalances = Counter(
            "sql_linting_rebalances",
            "Partition assignments this worker received (the first one included).",
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "sql_linting_consumer_lag",
            "Messages not yet fetched by this worker: highwater minus position, per assigned partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.host_cpu = _host_gauge(registry, "cpu", "Host CPU, the average since the previous beat.")
        self.host_memory = _host_gauge(registry, "memory", "Host memory in use (total minus available).")
        self.host_disk = _host_gauge(registry, "disk", "Used of total of the storage root's filesystem.")

    def host_usage(self, host: str, usage: HostUsage) -> None:
        """The heartbeat's sample of the host, as percentages (a size of 0 reads as 0 %, never a crash)."""
        self.host_cpu.labels(host=host).set(usage.cpu_percent)
        self.host_memory.labels(host=host).set(_percent(usage.memory_used_bytes, usage.memory_total_bytes))
        self.host_disk.labels(host=host).set(_percent(usage.disk_used_bytes, usage.disk_total_bytes))

    def parked(self, topic: str, code: str) -> None:
        """One message dead-lettered."""
        self.dead_letters.labels(topic=topic, code=code).inc()

    async def sample_lag(self, consumer: ConsumerT, assigned: Collection[TP]) -> None:
        """Replace the lag gauge by the lag of ``assigned`` now (revoked partitions disappear)."""
        try:
            highwaters = await asyncio.wait_for(consumer.highwaters(*assigned), LAG_TIMEOUT_S)
            positions = {tp: await asyncio.wait_for(consumer.position(tp), LAG_TIMEOUT_S) for tp in assigned}
        except Exception as exc:  # mid-rebalance or a busy broker: a gauge is not worth failing a beat
            log.debug("consumer lag not sampled: %r", exc)
            return
        self.consumer_lag.clear()
        for tp, position in positions.items():
            if position is not None and highwaters.get(tp) is not None:
                lag = max(0, highwaters[tp] - position)
                self.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(lag)
