"""Reading the workers topic and the workers' /metrics pages in the operations tests."""

import urllib.request
from collections.abc import Callable

from confluent_kafka import Message
from prometheus_client.parser import text_string_to_metric_families

from schemas.codec import decode
from schemas.worker_events import WorkerHeartbeat
from tests.processors.kafka_helpers import consume_messages

Beats = dict[str, WorkerHeartbeat | None]


def latest_beats(bootstrap: str, topic: str, done: Callable[[Beats], bool], polls: int = 120) -> Beats:
    """Worker id -> its newest heartbeat (``None`` for a tombstone), read until ``done`` says enough."""
    latest: Beats = {}

    def enough(messages: list[Message]) -> bool:
        latest.clear()
        for message in messages:
            value = message.value()
            latest[message.key().decode()] = None if value is None else decode(value, WorkerHeartbeat)
        return done(latest)

    consume_messages(bootstrap, topic, enough, polls)
    return latest


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A worker's /metrics page as (sample name, sorted labels) -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (sample, have), value in samples.items() if sample == name and wanted <= set(have))
