"""The control reader's start on a topic whose new partitions have no known leader yet.

The race needs a topic created an instant before (a worker's own start): it cannot be
staged on a broker at will, so the broker's answers are replayed by a stand-in consumer.
"""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from runtime.faust import control_reader
from runtime.faust.control_reader import ControlReader


class _Answers:
    """get_watermark_offsets answers in turn: an exception is raised, a pair returned."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.asked = 0

    def get_watermark_offsets(self, _tp: TopicPartition, timeout: float) -> Any:
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    running = asyncio.new_event_loop()
    yield running
    running.close()


def _reader(answers: _Answers, loop: asyncio.AbstractEventLoop) -> ControlReader:
    reader = ControlReader("127.0.0.1:1", "t.control", "w", loop, lambda _c: None)
    reader._consumer = answers  # type: ignore[assignment]
    return reader


def test_a_partition_without_a_leader_yet_is_asked_again(
    monkeypatch: pytest.MonkeyPatch, loop: asyncio.AbstractEventLoop
) -> None:
    monkeypatch.setattr(control_reader, "END_OFFSET_RETRY_S", 0.0)
    not_yet = KafkaException(KafkaError(KafkaError.NOT_LEADER_FOR_PARTITION))
    answers = _Answers(not_yet, not_yet, (0, 7))
    assert _reader(answers, loop)._end_offset(0) == 7
    assert answers.asked == 3


def test_an_error_that_will_not_pass_is_raised_at_once(loop: asyncio.AbstractEventLoop) -> None:
    refused = KafkaException(KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED))
    answers = _Answers(refused, (0, 7))
    with pytest.raises(KafkaException):
        _reader(answers, loop)._end_offset(0)
    assert answers.asked == 1
