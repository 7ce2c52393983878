"""The lag arithmetic on its own: which spans are read, and how counted spans replace offset distances."""

from datetime import UTC, datetime

from ingest.kafka_ops import Offsets
from ingest.queue_views import READ_UP_TO, queues_view, spans_to_read
from runtime.kafka_readable import Span
from schemas.monitoring import QueuesView
from schemas.topics import TopicNames

NAMES = TopicNames()
TASKS, JOBS = NAMES.tasks, NAMES.jobs
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# tasks: p0 retains 0..9, p1 retention deleted up to 20 of 60, p2 empty; jobs: p0 holds 100 records.
MARKS = {(TASKS, 0): (0, 10), (TASKS, 1): (20, 60), (TASKS, 2): (0, 0), (JOBS, 0): (0, 100)}
PARTITIONS = {TASKS: [0, 1, 2], JOBS: [0]}


def _view(committed: dict[str, Offsets], readable: dict[Span, int]) -> QueuesView:
    return queues_view(NAMES, PARTITIONS, MARKS, committed, readable, NOW)


def _lags(view: QueuesView, field: str) -> list[tuple[str, list[tuple[int, int | None, int]]]]:
    (topic,) = (t for t in view.topics if t.name == field)
    return [(g.group_id, [(p.partition, p.committed, p.lag) for p in g.partitions]) for g in topic.groups]


def test_only_short_spans_of_groups_reading_the_topic_are_read() -> None:
    committed = {
        "a": {(TASKS, 0): 9, (TASKS, 1): 59},  # one short of the ends: markers, likely
        "b": {(TASKS, 0): 10 - READ_UP_TO, (TASKS, 1): 3},  # 3: retention passed it, reads from 20
        "c": {(JOBS, 0): 100 - READ_UP_TO - 1},  # a real backlog: not read
    }
    assert spans_to_read(MARKS, committed) == {
        Span(TASKS, 0, 9, 10),
        Span(TASKS, 1, 59, 60),
        Span(TASKS, 0, 0, 10),  # b's committed offset lies before the start: read from it
    }


def test_a_group_at_the_end_of_an_empty_partition_has_nothing_to_read() -> None:
    assert spans_to_read(MARKS, {"a": {(TASKS, 0): 10, (TASKS, 1): 60}}) == set()


def test_counted_spans_are_the_lag_and_the_others_are_offset_distances() -> None:
    committed = {"a": {(TASKS, 0): 9, (TASKS, 1): 3}, "c": {(JOBS, 0): 40}}
    view = _view(committed, {Span(TASKS, 0, 9, 10): 0, Span(TASKS, 1, 20, 60): 7})
    assert _lags(view, "tasks") == [("a", [(0, 9, 0), (1, 3, 7), (2, None, 0)])]
    assert _lags(view, "jobs") == [("c", [(0, 40, 60)])]
    assert view.total_lag == 67


def test_a_span_not_read_in_time_counts_by_its_offsets() -> None:
    view = _view({"a": {(TASKS, 0): 9}}, {})
    assert _lags(view, "tasks") == [("a", [(0, 9, 1), (1, None, 40), (2, None, 0)])]


def test_a_group_past_the_end_lags_nothing() -> None:
    view = _view({"a": {(TASKS, 0): 12}}, {Span(TASKS, 0, 12, 10): 5})
    assert _lags(view, "tasks")[0][1][0] == (0, 12, 0)
