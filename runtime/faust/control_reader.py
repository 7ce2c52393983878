"""Reading this worker's control actions from the control topic, in a thread.

Every worker must see every action addressed to it, whatever the other
workers do, so there is no consumer group: a plain confluent-kafka consumer
is assigned every partition of the topic at its end offset, resolved before
the worker joins its group (an action sent once the worker is ready is read;
one sent to an earlier process, which had another worker id, is not). Only
``worker.control`` events naming this worker id go on, to the event loop.
"""

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from runtime.kafka_security import PLAINTEXT, KafkaSecurity
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.worker_events import WorkerControl

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2
# How long a new partition may lack a known leader before the worker's start fails on it.
END_OFFSET_WAIT_S = 30.0
END_OFFSET_RETRY_S = 0.2
# What the broker answers about a partition it has only just created (the client marks none retriable).
_NOT_YET = frozenset({KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE,
                      KafkaError.UNKNOWN_TOPIC_OR_PART})


class ControlReader(threading.Thread):
    """Hands each action for ``worker_id`` to ``deliver`` on ``loop``, until :meth:`stop`."""

    def __init__(
        self, bootstrap: str, topic: str, worker_id: str, loop: asyncio.AbstractEventLoop,
        deliver: Callable[[WorkerControl], None], security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        super().__init__(name="control-reader", daemon=True)
        self.topic, self.worker_id, self._loop, self._deliver = topic, worker_id, loop, deliver
        self._stop_requested = threading.Event()
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                **security.confluent(),
                "group.id": f"sqllint-control-{uuid.uuid4()}",  # required by librdkafka, never joined
                "enable.auto.commit": False,
            },
            logger=log,
        )

    def position_at_end(self) -> None:
        """Assign every partition at its current end (blocking: call it from a thread, before start)."""
        metadata = self._consumer.list_topics(self.topic, timeout=30)
        assigned = []
        for partition in sorted(metadata.topics[self.topic].partitions):
            assigned.append(TopicPartition(self.topic, partition, self._end_offset(partition)))
        self._consumer.assign(assigned)

    def _end_offset(self, partition: int) -> int:
        """The partition's end offset, asked again while the broker says "not yet".

        A worker starts right after creating its topics, and a new partition's leader
        may not be known yet (NOT_LEADER_FOR_PARTITION): a passing state, not a failure.
        """
        deadline = time.monotonic() + END_OFFSET_WAIT_S
        where = TopicPartition(self.topic, partition)
        while True:
            try:
                return self._consumer.get_watermark_offsets(where, timeout=30)[1]
            except KafkaException as exc:
                if exc.args[0].code() not in _NOT_YET or time.monotonic() > deadline:
                    raise
            time.sleep(END_OFFSET_RETRY_S)

    def stop(self) -> None:
        """Ask the thread to finish; join it afterwards."""
        self._stop_requested.set()

    def run(self) -> None:
        """Poll until stopped; another worker's action is skipped, an unreadable one logged."""
        try:
            while not self._stop_requested.is_set():
                msg = self._consumer.poll(POLL_SECONDS)
                if msg is None:
                    continue
                if msg.error() is not None:
                    log.warning("control reader: %s", msg.error())
                    continue
                if msg.key() != self.worker_id.encode():  # keyed by worker id: not ours, not decoded
                    continue
                try:
                    control = decode(msg.value(), WorkerControl)
                except SchemaError as exc:
                    log.warning("unreadable control action at offset %s: %s", msg.offset(), exc)
                    continue
                if control.worker_id == self.worker_id:
                    self._loop.call_soon_threadsafe(self._deliver, control)
        except Exception:  # control is for operators: losing it must not stop the worker's work
            log.exception("the control reader stopped; control actions are no longer carried out")
        finally:
            self._consumer.close()
