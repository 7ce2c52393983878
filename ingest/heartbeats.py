"""The newest heartbeat of every worker, read from the compacted workers topic.

Every ingest replica needs the whole picture, so the reader joins no consumer
group and commits nothing: it assigns itself every partition from the
beginning and keeps the latest value per key, a tombstone (null value)
removing its worker (:class:`~ingest.topic_reader.TopicReader` polls in a thread
of its own); handlers only take a copy of the map under a lock. Whether a worker is still alive is not decided
here (a dead worker's last heartbeat stays on the topic): readers judge its age.
"""

import logging
import threading

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from ingest.topic_reader import TopicReader
from runtime.kafka_security import PLAINTEXT, KafkaSecurity
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.worker_events import WorkerHeartbeat

log = logging.getLogger("ingest.heartbeats")


class HeartbeatReader(TopicReader):
    """``start``/``close`` bracket the polling thread; :meth:`snapshot` is safe from any thread."""

    def __init__(
        self, bootstrap: str, topic: str, poll_s: float = 0.5, security: KafkaSecurity = PLAINTEXT
    ) -> None:
        super().__init__(
            "heartbeats", bootstrap, security, poll_s, log,
            **{"enable.partition.eof": True, "auto.offset.reset": "earliest"},
        )
        self._topic = topic
        self._latest: dict[str, WorkerHeartbeat] = {}
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._pending: set[int] = set()  # partitions not yet read to their end once
        self._ends: dict[int, int] = {}  # each partition's end offset when it was assigned

    @property
    def loaded(self) -> bool:
        """The topic has been read to its end once: the snapshot is complete, not partial."""
        return self._loaded.is_set()

    def snapshot(self) -> dict[str, WorkerHeartbeat]:
        """Worker id → its newest heartbeat (stale ones included)."""
        with self._lock:
            return dict(self._latest)

    def _assign(self, consumer: Consumer) -> bool:
        """Every partition from its beginning, once the topic exists."""
        try:
            meta = consumer.list_topics(self._topic, timeout=self._poll_s * 4).topics.get(self._topic)
        except KafkaException as exc:
            log.warning("workers topic %s: %s", self._topic, exc)
            meta = None
        if meta is None or meta.error is not None or not meta.partitions:
            return False
        partitions = sorted(meta.partitions)
        try:
            wait_s = self._poll_s * 4
            ends = {p: consumer.get_watermark_offsets(TopicPartition(self._topic, p), timeout=wait_s)[1]
                    for p in partitions}
        except KafkaException as exc:  # a new partition's leader may not be known yet: look again
            log.warning("workers topic %s: %s", self._topic, exc)
            return False
        consumer.assign([TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in partitions])
        self._ends = {p: end for p, end in ends.items() if end > 0}
        self._pending = set(partitions)
        return True

    def _read_up_to(self, partition: int, next_offset: int) -> None:
        """Partition read as far as it reached at assignment: the snapshot holds it.

        End of partition (EOF) alone never comes while workers beat faster than the
        consumer's fetch wait: each fetch returns a new heartbeat. So a message at or past
        the end offset seen at assignment counts too.
        """
        if next_offset >= self._ends.get(partition, 0):
            self._pending.discard(partition)
            if not self._pending:
                self._loaded.set()

    def _take(self, msg: Message) -> None:
        err = msg.error()
        if err is not None:
            if err.code() == KafkaError._PARTITION_EOF:
                self._read_up_to(msg.partition(), self._ends.get(msg.partition(), 0))
            else:
                log.warning("workers topic %s: %s", self._topic, err)
            return
        self._keep(msg)
        self._read_up_to(msg.partition(), msg.offset() + 1)

    def _keep(self, msg: Message) -> None:
        """The message's heartbeat becomes its worker's newest; a tombstone removes the worker."""
        key = (msg.key() or b"").decode(errors="replace")
        value = msg.value()
        if value is None:
            with self._lock:
                self._latest.pop(key, None)
            return
        try:
            beat = decode(value, WorkerHeartbeat)
        except SchemaError as exc:
            log.warning("skipping a heartbeat under key %r: %s", key, exc.message)
            return
        with self._lock:
            self._latest[key] = beat
