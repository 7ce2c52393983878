"""Telemetry every service shares, set up once by each service's ``main()``.

JSON logs (:mod:`.logging`), and traces that follow a job over Kafka
(:mod:`.tracing`, :mod:`.kafka_headers`).
"""

from logging import Handler

from runtime.settings import ServiceSettings
from runtime.telemetry.logging import configure_logging
from runtime.telemetry.tracing import configure_tracing


def setup_telemetry(service: str, worker_id: str, settings: ServiceSettings) -> list[Handler]:
    """Logging first (tracing's own warnings are then JSON too), then tracing; the log handlers."""
    handlers = configure_logging(service, worker_id, settings)
    configure_tracing(service, worker_id)
    return handlers
