"""What the brokers know about the workers and the queues, through one AdminClient.

A worker is a member of a consumer group and a queue is a topic's partitions
with each group's committed offsets, so the group descriptions, the
partitions' offsets and the committed offsets are the whole of it; reading
them joins no group and moves no offset. Offsets are listed as a
read_committed reader sees them: a partition ends at its last stable offset,
before the records of any transaction still open. Where offsets overcount
(transaction markers, aborted records), a consumer that joins no group reads
the short spans the caller asks about. Every call blocks (the callers run it
in a thread) and is bounded by ``timeout_s``; a broker that does not answer
becomes :class:`KafkaUnavailableError` (a registered 503).
"""

from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from confluent_kafka import ConsumerGroupTopicPartitions, IsolationLevel, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from runtime.kafka_admin import KafkaUnavailableError
from runtime.kafka_readable import ReadableCounter, Span
from runtime.kafka_security import PLAINTEXT, KafkaSecurity

T = TypeVar("T")
Offsets = dict[tuple[str, int], int]


@dataclass(frozen=True)
class Member:
    """One member of a consumer group and the partitions the coordinator gave it."""

    member_id: str
    client_id: str
    host: str
    assigned: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class GroupInfo:
    """A consumer group as described by its coordinator; ``error`` when it could not be."""

    group_id: str
    state: str
    members: tuple[Member, ...]
    error: str | None = None


class KafkaOps:
    """Blocking read-only admin calls; ``open``/``close`` bracket the client's life."""

    def __init__(self, bootstrap: str, timeout_s: float, security: KafkaSecurity = PLAINTEXT) -> None:
        self._config: dict[str, Any] = {"bootstrap.servers": bootstrap, **security.confluent()}
        self._timeout_s = timeout_s
        self._admin: AdminClient | None = None
        self._readable = ReadableCounter(self._config, timeout_s)

    def open(self) -> None:
        """Create the client (its threads connect in the background)."""
        self._admin = AdminClient(self._config)

    def close(self) -> None:
        """Drop the admin client (librdkafka stops its threads when it is collected), close the reader."""
        self._admin = None
        self._readable.close()

    @property
    def admin(self) -> AdminClient:
        """The open client."""
        if self._admin is None:
            raise KafkaUnavailableError("the Kafka admin client is not open")
        return self._admin

    def _result(self, future: "Future[T]", what: str) -> T:
        try:
            return future.result(self._timeout_s)
        except (KafkaException, TimeoutError) as exc:
            raise KafkaUnavailableError(f"{what}: {exc or 'timed out'}") from exc

    def describe_groups(self, groups: Iterable[str]) -> list[GroupInfo]:
        """Each group's state and members; a group nobody joined yet is ``DEAD`` with no members."""
        wanted = sorted(set(groups))
        if not wanted:
            return []
        futures = self.admin.describe_consumer_groups(wanted, request_timeout=self._timeout_s)
        return [self._group(group, futures[group]) for group in wanted]

    def _group(self, group: str, future: Future) -> GroupInfo:
        try:
            found = self._result(future, f"describe group {group}")
        except KafkaUnavailableError as exc:
            return GroupInfo(group, "UNKNOWN", (), exc.message)
        members = tuple(
            Member(
                m.member_id,
                m.client_id,
                m.host,
                tuple(sorted((tp.topic, tp.partition) for tp in m.assignment.topic_partitions)),
            )
            for m in found.members
        )
        return GroupInfo(group, found.state.name, members)

    def partitions(self, topics: Iterable[str]) -> dict[str, list[int]]:
        """Each existing topic's partition numbers (a topic not created yet has none)."""
        try:
            metadata = self.admin.list_topics(timeout=self._timeout_s)
        except KafkaException as exc:
            raise KafkaUnavailableError(f"metadata request failed: {exc}") from exc
        found = {}
        for topic in topics:
            meta = metadata.topics.get(topic)
            found[topic] = sorted(meta.partitions) if meta is not None and meta.error is None else []
        return found

    def watermarks(self, partitions: dict[str, list[int]]) -> dict[tuple[str, int], tuple[int, int]]:
        """(start, end) offsets of every partition: the oldest retained and the last stable one.

        The last stable offset is the end a read_committed reader reaches: an open transaction's
        records lie past it until the transaction is decided.
        """
        tps = [(topic, p) for topic, numbers in partitions.items() for p in numbers]
        if not tps:
            return {}
        return {
            tp: (start, end)
            for tp, start, end in zip(
                tps,
                self._offsets(tps, OffsetSpec.earliest()),
                self._offsets(tps, OffsetSpec.latest()),
                strict=True,
            )
        }

    def _offsets(self, tps: list[tuple[str, int]], spec: OffsetSpec) -> list[int]:
        futures = self.admin.list_offsets(
            {TopicPartition(t, p): spec for t, p in tps},
            isolation_level=IsolationLevel.READ_COMMITTED,
            request_timeout=self._timeout_s,
        )
        by_tp = {(tp.topic, tp.partition): f for tp, f in futures.items()}
        return [self._result(by_tp[tp], f"offsets of {tp[0]}").offset for tp in tps]

    def committed(self, group: str) -> Offsets:
        """The group's committed offset on every partition it ever committed on."""
        futures = self.admin.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group)], request_timeout=self._timeout_s
        )
        found = self._result(futures[group], f"offsets of group {group}")
        return {(tp.topic, tp.partition): tp.offset for tp in found.topic_partitions or () if tp.offset >= 0}

    def readable(self, spans: Iterable[Span]) -> dict[Span, int]:
        """Records a read_committed reader is given in each span; a span it could not read is left out."""
        return self._readable.count(spans)
