"""The one reader of the pipeline's progress and lint-results topics in an ingest process.

Every ingest replica serves streams for any job, and a client may reconnect
to another replica, so every replica must see every event: the reader joins
no consumer group and commits nothing (a group would split the partitions
among the replicas, and commits would be meaningless for a live view). It
assigns itself every partition from the end: a stream starts from the
database's rows and only needs what happens after it connected, never the
topics' history. One consumer per process, not per client, keeps the
brokers' load independent of the number of viewers; it polls in a thread of
its own (:class:`~ingest.topic_reader.TopicReader`), and only events of
watched jobs (the key is the job id on both topics) are decoded and handed
to the event loop.
"""

import logging
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from ingest.topic_reader import TopicReader
from runtime.kafka_security import PLAINTEXT, KafkaSecurity
from schemas.codec import decode
from schemas.errors import SchemaError
from schemas.events import Record
from schemas.routing import events_on

log = logging.getLogger("ingest.event_feed")
Deliver = Callable[[str, Record], None]
Watched = Callable[[], frozenset[str]]


class EventFeed(TopicReader):
    """``start``/``close`` bracket the polling thread; ``deliver(job_id, event)`` is called from it."""

    def __init__(
        self, bootstrap: str, progress: str, lint_results: str, deliver: Deliver, watched: Watched,
        poll_s: float = 0.2, security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        super().__init__(
            "events", bootstrap, security, poll_s, log,
            **{"enable.partition.eof": False, "auto.offset.reset": "latest"},
        )
        self._decoders = {progress: events_on("progress"), lint_results: events_on("lint_results")}
        self._deliver = deliver
        self._watched = watched

    def _assign(self, consumer: Consumer) -> bool:
        """Every partition of both topics from its end, once both exist.

        The ends are read here, not left to ``OFFSET_END`` (resolved at the first fetch, later), so
        every event produced after :attr:`assigned` is set is seen.
        """
        assignment = []
        wait_s = self._poll_s * 10
        try:
            for topic in self._decoders:
                meta = consumer.list_topics(topic, timeout=wait_s).topics.get(topic)
                if meta is None or meta.error is not None or not meta.partitions:
                    return False
                for p in sorted(meta.partitions):
                    _, end = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=wait_s)
                    assignment.append(TopicPartition(topic, p, end))
        except KafkaException as exc:
            log.warning("events topics: %s", exc)
            return False
        consumer.assign(assignment)
        return True

    def _take(self, msg: Message) -> None:
        err = msg.error()
        if err is not None:
            log.warning("events topic %s: %s", msg.topic(), err)
            return
        job_id = (msg.key() or b"").decode(errors="replace")
        value = msg.value()
        if value is None or job_id not in self._watched():
            return
        try:
            event = decode(value, *self._decoders[str(msg.topic())])
        except SchemaError as exc:
            log.warning("skipping an event of job %s on %s: %s", job_id, msg.topic(), exc.message)
            return
        self._deliver(job_id, event)
