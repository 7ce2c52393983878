"""Creating the topics of the pipeline, idempotently, at each service's start.

Topics are created explicitly (not by broker auto-creation) so that partition
counts, replication and ``min.insync.replicas`` are what the contract says.
"""

from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from runtime.settings import ServiceSettings
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError
from schemas.topics import TopicNames


class KafkaUnavailableError(LintServiceError, code=ErrorCode.KAFKA_UNAVAILABLE):
    """The brokers did not answer in time."""


HOUR_MS = str(3600 * 1000)
_TOMBSTONES = {"delete.retention.ms": HOUR_MS, "min.cleanable.dirty.ratio": "0.1"}


@dataclass(frozen=True)
class TopicSpec:
    """How to create a topic when it does not exist yet."""

    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(names: TopicNames, partitions: int = 8, replication_min_isr: int = 1) -> list[TopicSpec]:
    """Specs for every topic; tasks get the most partitions since they carry the load."""
    isr = {"min.insync.replicas": str(replication_min_isr)}
    week = {"retention.ms": str(7 * 24 * 3600 * 1000), **isr}
    return [
        TopicSpec(names.jobs, max(1, partitions // 2), week),
        TopicSpec(names.tasks, partitions, week),
        TopicSpec(names.progress, partitions, week),
        TopicSpec(names.lint_results, partitions, week),
        TopicSpec(names.dead_letter, 1, {"retention.ms": str(30 * 24 * 3600 * 1000), **isr}),
        # Keyed by the content hash: compaction keeps one entry per key, forever.
        TopicSpec(names.lint_cache, max(1, partitions // 2), {"cleanup.policy": "compact", **isr}),
        # The newest heartbeat per worker; a clean stop's tombstone is kept an hour, then dropped.
        TopicSpec(
            names.workers, 1, {"cleanup.policy": "compact", "segment.ms": HOUR_MS, **_TOMBSTONES, **isr}
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
) -> list[str]:
    """Create the missing topics; return the names that were created."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        existing = set(admin.list_topics(timeout=timeout).topics)
    except KafkaException as exc:
        raise KafkaUnavailableError(f"cannot list topics at {bootstrap}: {exc}") from exc
    wanted = [
        NewTopic(s.name, s.partitions, replication_factor, config=s.config)
        for s in topic_specs(names, partitions, min_insync_replicas)
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
    """Create the missing topics with the shape a service's settings ask for."""
    return ensure_topics(
        settings.kafka_bootstrap_servers,
        settings.topics,
        partitions=settings.topic_partitions,
        replication_factor=settings.topic_replication_factor,
        min_insync_replicas=settings.topic_min_insync_replicas,
        timeout=timeout,
    )
