"""The newest heartbeat of every worker, read from the compacted workers topic.

Every ingest replica needs the whole picture, so the reader joins no consumer
group and commits nothing: it assigns itself every partition from the
beginning and keeps the latest value per key, a tombstone (null value)
removing its worker. confluent-kafka's poll blocks, so a thread of its own
polls, and handlers only take a copy of the map under a lock; the event loop
never waits on the broker. Whether a worker is still alive is not decided
here (a dead worker's last heartbeat stays on the topic): readers judge its age.
"""

import logging
import threading
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from runtime.kafka_security import PLAINTEXT, KafkaSecurity
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.worker_events import WorkerHeartbeat

log = logging.getLogger("ingest.heartbeats")


class HeartbeatReader:
    """``start``/``close`` bracket the polling thread; :meth:`snapshot` is safe from any thread."""

    def __init__(
        self, bootstrap: str, topic: str, poll_s: float = 0.5, security: KafkaSecurity = PLAINTEXT
    ) -> None:
        self._topic = topic
        self._poll_s = poll_s
        self._config = {
            "bootstrap.servers": bootstrap,
            **security.confluent(),
            # librdkafka insists on a group id; with assign() and no commits, the group is never created.
            "group.id": f"sqllint-ingest-heartbeats-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
            "logger": log,
        }
        self._latest: dict[str, WorkerHeartbeat] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._loaded = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def loaded(self) -> bool:
        """The topic has been read to its end once: the snapshot is complete, not partial."""
        return self._loaded.is_set()

    def snapshot(self) -> dict[str, WorkerHeartbeat]:
        """Worker id → its newest heartbeat (stale ones included)."""
        with self._lock:
            return dict(self._latest)

    def start(self) -> None:
        """Start the polling thread; it waits for the topic when it does not exist yet."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="heartbeat-reader", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop polling and close the consumer (blocking: call it from a thread)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        consumer = Consumer(self._config)
        try:
            pending: set[int] | None = None
            while not self._stop.is_set():
                if pending is None:
                    pending = self._assign(consumer)
                    continue
                msg = consumer.poll(self._poll_s)
                if msg is not None:
                    self._take(msg, pending)
        finally:
            consumer.close()

    def _assign(self, consumer: Consumer) -> set[int] | None:
        """Every partition from its beginning; None (after a pause) while the topic is missing."""
        try:
            meta = consumer.list_topics(self._topic, timeout=self._poll_s * 4).topics.get(self._topic)
        except KafkaException as exc:
            log.warning("workers topic %s: %s", self._topic, exc)
            meta = None
        if meta is None or meta.error is not None or not meta.partitions:
            self._stop.wait(self._poll_s)
            return None
        partitions = sorted(meta.partitions)
        consumer.assign([TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in partitions])
        return set(partitions)

    def _take(self, msg: Message, pending: set[int]) -> None:
        err = msg.error()
        if err is not None:
            if err.code() == KafkaError._PARTITION_EOF:
                pending.discard(msg.partition())
                if not pending:
                    self._loaded.set()
            else:
                log.warning("workers topic %s: %s", self._topic, err)
            return
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
