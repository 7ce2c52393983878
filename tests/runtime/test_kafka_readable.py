"""What a read_committed reader is given between offsets, counted on the dev broker.

Markers and aborted records take offsets but are never given; several spans of
one partition are read at once, and a span that cannot be read is left out
(its caller then counts by offsets).
"""

import uuid

import pytest

from runtime.kafka_readable import ReadableCounter, Span
from schemas.topics import TopicNames
from tests.ingest.transactions import in_transactions

pytestmark = pytest.mark.integration


def test_markers_and_aborted_records_are_not_counted(kafka_bootstrap: str, topic_names: TopicNames) -> None:
    tasks = topic_names.tasks
    # p0: records 0-2, marker 3, aborted 4-5, marker 6, records 7-8, marker 9; p1: aborted 0-2, marker 3.
    in_transactions(kafka_bootstrap, tasks, 0, [(3, True), (2, False), (2, True)])
    in_transactions(kafka_bootstrap, tasks, 1, [(3, False)])
    spans = [Span(tasks, 0, 0, 10), Span(tasks, 0, 3, 10), Span(tasks, 0, 8, 10), Span(tasks, 0, 9, 10),
             Span(tasks, 0, 1, 8), Span(tasks, 1, 0, 4)]
    counter = ReadableCounter({"bootstrap.servers": kafka_bootstrap}, timeout_s=15)
    try:
        assert counter.count(spans) == dict(zip(spans, [5, 2, 1, 0, 3, 0], strict=True))
        assert counter.count(spans[:2]) == {spans[0]: 5, spans[1]: 2}  # kept, and the rest forgotten
    finally:
        counter.close()
    impatient = ReadableCounter({"bootstrap.servers": kafka_bootstrap}, timeout_s=1)
    try:
        missing = Span(f"absent-{uuid.uuid4().hex}", 0, 0, 3)  # never read to its end
        assert impatient.count([missing, spans[3]]) == {spans[3]: 0}
    finally:
        impatient.close()
