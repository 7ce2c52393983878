"""A Prometheus registry per app, served at ``/metrics`` by the worker's own web server.

Per app, not the process-global registry: two apps in one process (the
tests start many) never share or re-register a counter. The worker's web
server is on only when ``metrics_port`` is set, so one port serves both.
"""

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from runtime.settings import WorkerSettings

METRICS_PATH = "/metrics"


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
