"""Creating the topics of the pipeline, idempotently, at each service's start.

Topics are created explicitly (not by broker auto-creation) so that partition
counts, replication and ``min.insync.replicas`` are what the contract says.
"""

from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from runtime.kafka_security import PLAINTEXT, KafkaSecurity, kafka_security
from runtime.settings import ServiceSettings
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError
from schemas.topics import TopicNames


class KafkaUnavailableError(LintServiceError, code=ErrorCode.KAFKA_UNAVAILABLE):
    """The brokers did not answer in time."""


HOUR_MS = str(3600 * 1000)
DAY_MS = 24 * 3600 * 1000
CACHE_RETENTION_MS = 30 * DAY_MS  # TOPIC_CACHE_RETENTION_DAYS's default
_TOMBSTONES = {"delete.retention.ms": HOUR_MS, "min.cleanable.dirty.ratio": "0.1"}


@dataclass(frozen=True)
class TopicSpec:
    """How to create a topic when it does not exist yet."""

    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(
    names: TopicNames,
    partitions: int = 8,
    replication_min_isr: int = 1,
    cache_retention_ms: int = CACHE_RETENTION_MS,
) -> list[TopicSpec]:
    """Specs for every topic; tasks get the most partitions since they carry the load.

    Every topic says how long it keeps what it holds (docs/security.md, Retention): nothing
    is kept by a broker default that an operator would have to look up.
    """
    isr = {"min.insync.replicas": str(replication_min_isr)}
    week = {"retention.ms": str(7 * DAY_MS), **isr}
    return [
        TopicSpec(names.jobs, max(1, partitions // 2), week),
        TopicSpec(names.tasks, partitions, week),
        # Small jobs' tasks (the express lane): as many partitions, so every worker of the group holds some.
        TopicSpec(names.express_tasks, partitions, week),
        TopicSpec(names.progress, partitions, week),
        TopicSpec(names.lint_results, partitions, week),
        TopicSpec(names.dead_letter, 1, {"retention.ms": str(30 * DAY_MS), **isr}),
        # Keyed by the content hash: compaction keeps one entry per key, and an entry not
        # written again within TOPIC_CACHE_RETENTION_DAYS goes (a miss only costs one lint).
        TopicSpec(
            names.lint_cache,
            max(1, partitions // 2),
            {"cleanup.policy": "compact,delete", "retention.ms": str(cache_retention_ms), **isr},
        ),
        # The newest heartbeat per worker; a clean stop's tombstone is kept an hour, then dropped,
        # and a crashed worker's last beat (no tombstone) goes after a week.
        TopicSpec(
            names.workers,
            1,
            {
                "cleanup.policy": "compact,delete",
                "retention.ms": str(7 * DAY_MS),
                "segment.ms": HOUR_MS,
                **_TOMBSTONES,
                **isr,
            },
        ),
        # Operators' actions matter only while a worker can still act on them.
        TopicSpec(names.control, 1, {"retention.ms": str(24 * 3600 * 1000), **isr}),
    ]


def ensure_topics(
    bootstrap: str,
    names: TopicNames,
    *,
    partitions: int = 8,
    replication_factor: int = 1,
    min_insync_replicas: int = 1,
    timeout: float = 30.0,
    security: KafkaSecurity = PLAINTEXT,
) -> list[str]:
    """Create the missing topics; return the names that were created.

    An existing topic keeps its configs: docs/deployment.md says how to align them (kafka-configs).
    """
    admin = AdminClient({"bootstrap.servers": bootstrap, **security.confluent()})
    specs = topic_specs(names, partitions, min_insync_replicas)
    return _create_missing(admin, bootstrap, specs, replication_factor, timeout)


def _create_missing(
    admin: AdminClient, bootstrap: str, specs: list[TopicSpec], replication_factor: int, timeout: float
) -> list[str]:
    try:
        existing = set(admin.list_topics(timeout=timeout).topics)
    except KafkaException as exc:
        raise KafkaUnavailableError(f"cannot list topics at {bootstrap}: {exc}") from exc
    wanted = [
        NewTopic(s.name, s.partitions, replication_factor, config=s.config)
        for s in specs
        if s.name not in existing
    ]
    if not wanted:
        return []
    created = []
    for name, future in admin.create_topics(wanted, operation_timeout=timeout).items():
        try:
            future.result(timeout)
            created.append(name)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise KafkaUnavailableError(f"cannot create topic {name}: {exc}") from exc
    return created


def ensure_service_topics(settings: ServiceSettings, timeout: float = 30.0) -> list[str]:
    """Create the missing topics with the shape (and the cache's retention) a service's settings ask for."""
    admin = AdminClient(
        {"bootstrap.servers": settings.kafka_bootstrap_servers, **kafka_security(settings).confluent()}
    )
    specs = topic_specs(
        settings.topics,
        settings.topic_partitions,
        settings.topic_min_insync_replicas,
        round(settings.topic_cache_retention_days * DAY_MS),
    )
    return _create_missing(
        admin, settings.kafka_bootstrap_servers, specs, settings.topic_replication_factor, timeout
    )
