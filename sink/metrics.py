"""The sink's counters, registered on its app's own registry (served at ``/metrics`` by the kit)."""

from prometheus_client import CollectorRegistry, Counter


class SinkMetrics:
    """What an operator watches to tell a healthy sink from one stuck on its database or its input."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.events_written = Counter(
            "sqllint_sink_events_written", "Events committed to the database.", ["topic"], registry=registry
        )
        self.dead_letters = Counter(
            "sqllint_sink_dead_letters",
            "Messages sent to the dead-letter topic.",
            ["topic", "code"],
            registry=registry,
        )
        self.db_retries = Counter(
            "sqllint_sink_db_retries",
            "Batch writes retried because the database was unavailable.",
            registry=registry,
        )
