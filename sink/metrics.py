"""Prometheus counters of the sink, served only when ``metrics_port`` is set."""

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry(auto_describe=True)
EVENTS_WRITTEN = Counter(
    "sqllint_sink_events_written", "Events committed to the database.", ["topic"], registry=REGISTRY
)
DEAD_LETTERS = Counter(
    "sqllint_sink_dead_letters",
    "Messages sent to the dead-letter topic.",
    ["topic", "code"],
    registry=REGISTRY,
)
DB_RETRIES = Counter(
    "sqllint_sink_db_retries", "Batch writes retried because the database was unavailable.", registry=REGISTRY
)
