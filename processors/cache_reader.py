"""Follows the compacted lint-cache topic into a :class:`LintCache`, in a thread.

A plain confluent-kafka consumer with every partition assigned from the
beginning and no group membership (the group id is required by librdkafka but
never joined, nothing is committed): every worker must see every entry, which
a consumer group would split between them.
"""

import logging
import threading
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from processors.lint_cache import LintCache
from runtime.kafka_security import PLAINTEXT, KafkaSecurity

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2


class CacheReader(threading.Thread):
    """Loads the topic, then keeps applying new entries until :meth:`stop`."""

    def __init__(
        self, bootstrap: str, topic: str, cache: LintCache, security: KafkaSecurity = PLAINTEXT
    ) -> None:
        super().__init__(name="lint-cache-reader", daemon=True)
        self.topic = topic
        self.cache = cache
        self.caught_up = threading.Event()  # set once everything present at start was read
        self._stop_requested = threading.Event()
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                **security.confluent(),
                "group.id": f"sqllint-cache-reader-{uuid.uuid4()}",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            },
            logger=log,
        )

    def stop(self) -> None:
        """Ask the thread to finish; join it afterwards."""
        self._stop_requested.set()

    def _assign(self) -> set[int]:
        metadata = self._consumer.list_topics(self.topic, timeout=30)
        partitions = sorted(metadata.topics[self.topic].partitions)
        self._consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
        return set(partitions)

    def run(self) -> None:
        """Poll until stopped; an unreadable record is skipped, never fatal."""
        try:
            pending = self._assign()
            while not self._stop_requested.is_set():
                msg = self._consumer.poll(POLL_SECONDS)
                if msg is None:
                    continue
                error = msg.error()
                if error is None:
                    self.cache.ingest(msg.key(), msg.value())
                elif error.code() == KafkaError._PARTITION_EOF:
                    pending.discard(msg.partition())
                    if not pending and not self.caught_up.is_set():
                        log.info("lint cache loaded: %d entries", len(self.cache))
                        self.caught_up.set()
                else:
                    log.warning("lint-cache reader: %s", error)
        except Exception:  # the cache is an optimisation: losing it must not stop linting
            log.exception("the lint-cache reader stopped; results are no longer shared")
        finally:
            self._consumer.close()
