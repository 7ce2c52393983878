"""A consumer thread that joins no group and commits nothing: the ingest's whole-topic readers.

Every ingest replica needs every message of the topics it watches (the workers' heartbeats, a
job's live events), so a reader assigns itself every partition instead of sharing them in a
group, and a restart simply reads again. confluent-kafka's poll blocks, so a thread of its own
polls and the event loop never waits on the broker. Subclasses say where to start reading
(:meth:`_assign`) and what a message means (:meth:`_take`).
"""

import logging
import threading
import uuid
from typing import Any

from confluent_kafka import Consumer, Message

from runtime.kafka_security import KafkaSecurity


class TopicReader:
    """``start``/``close`` bracket the polling thread; :attr:`assigned` is set once it reads."""

    def __init__(
        self, name: str, bootstrap: str, security: KafkaSecurity, poll_s: float, log: logging.Logger,
        **config: Any,
    ) -> None:
        self._name = name
        self._poll_s = poll_s
        self._config = {
            "bootstrap.servers": bootstrap,
            **security.confluent(),
            # librdkafka insists on a group id; with assign() and no commits, the group is never created.
            "group.id": f"sqllint-ingest-{name}-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "logger": log,
            **config,
            # The processors write in transactions: an aborted one's events stay in the log, and a
            # live view must never show them (librdkafka's default too, stated so no override drops it).
            "isolation.level": "read_committed",
        }
        self._stop = threading.Event()
        self.assigned = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the polling thread; it waits for its topics when they do not exist yet."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self._name}-reader", daemon=True)
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
            while not self._stop.is_set():
                if not self.assigned.is_set():
                    if self._assign(consumer):
                        self.assigned.set()
                    else:
                        self._stop.wait(self._poll_s)  # a topic is missing: look again shortly
                    continue
                msg = consumer.poll(self._poll_s)
                if msg is not None:
                    self._take(msg)
        finally:
            consumer.close()

    def _assign(self, consumer: Consumer) -> bool:
        """Assign the partitions to read; False while a topic is missing or the broker does not answer."""
        raise NotImplementedError

    def _take(self, msg: Message) -> None:
        """One polled message or error."""
        raise NotImplementedError
