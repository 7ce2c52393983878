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
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, TopicPartition

from runtime.kafka_security import PLAINTEXT, KafkaSecurity
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.worker_events import WorkerControl

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2


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
            _, high = self._consumer.get_watermark_offsets(TopicPartition(self.topic, partition), timeout=30)
            assigned.append(TopicPartition(self.topic, partition, high))
        self._consumer.assign(assigned)

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
