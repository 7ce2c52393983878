"""The sink's Prometheus families, on its app's own registry (served at ``/metrics`` by the kit).

Dead letters are the kit's (``sql_linting_dead_letters_total``, counted where
every service parks a message). A job is counted once, by the worker whose
transaction moved it to its final status (:func:`sink.tallies.refresh_jobs`
says which), so the sum over every sink worker is the number of finished jobs.
"""

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram

from schemas.statuses import JOB_FINAL, JobStatus

# A batch is 1 to ``batch_size`` (500 by default) events.
BATCH_SIZE_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)
# The outbox's state after an attempt → the metric's outcome.
WEBHOOK_OUTCOMES = {"DELIVERED": "delivered", "PENDING": "retried", "FAILED": "failed"}
WRITE_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class SinkMetrics:
    """What an operator watches to tell a healthy sink from one stuck on its database or its input."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.jobs = Counter(
            "sql_linting_jobs", "Jobs moved to their final status by this sink, by status.", ["status"],
            registry=registry,
        )
        # Every final status has a series from the start: rate() cannot see a series' first increment.
        for status in sorted(JOB_FINAL):
            self.jobs.labels(status=status.value)
        self.events_written = Counter(
            "sql_linting_sink_events_written", "Events committed to the database, by source topic.",
            ["topic"], registry=registry,
        )
        self.db_retries = Counter(
            "sql_linting_sink_db_retries",
            "Batch writes retried because the database was unavailable.",
            registry=registry,
        )
        self.batch_size = Histogram(
            "sql_linting_sink_batch_size", "Events per batch the sink wrote.", buckets=BATCH_SIZE_BUCKETS,
            registry=registry,
        )
        self.webhook_deliveries = Counter(
            "sql_linting_webhook_deliveries",
            "Callback attempts settled, by outcome: delivered, retried (another is due), failed (given up).",
            ["outcome"], registry=registry,
        )
        for outcome in WEBHOOK_OUTCOMES.values():
            self.webhook_deliveries.labels(outcome=outcome)
        self.write_duration = Histogram(
            "sql_linting_sink_write_duration_seconds", "Time of one committed write transaction.",
            buckets=WRITE_SECONDS_BUCKETS, registry=registry,
        )

    def finished(self, jobs: Mapping[str, JobStatus]) -> None:
        """Jobs a committed transaction made final."""
        for status in jobs.values():
            self.jobs.labels(status=status.value).inc()

    def delivery_settled(self, state: str) -> None:
        """A callback attempt's outcome, as the outbox recorded it (PENDING means it will be retried)."""
        self.webhook_deliveries.labels(outcome=WEBHOOK_OUTCOMES[state]).inc()
