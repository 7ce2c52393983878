"""Faust commits no offset of a topic the kit's transactions commit, whatever it acked."""

import faust
from faust.types import TP

from runtime.faust.isolation import commit_elsewhere, read_committed


def _consumer_with_acks(app: faust.App, tp: TP) -> object:
    """Faust's own bookkeeping after offsets 0, 1 and 2 of ``tp`` were acked from committed offset 0."""
    consumer = app.consumer
    consumer._committed_offset[tp] = 0
    consumer._acked[tp].extend([0, 1, 2])
    consumer._acked_index[tp].update({0, 1, 2})
    return consumer


async def test_acked_offsets_of_a_transactional_topic_are_never_committed_by_faust() -> None:
    app = faust.App("commit-elsewhere", broker="kafka://127.0.0.1:1")  # never started: no broker needed
    read_committed(app)
    tasks, other = TP("tasks", 0), TP("other", 0)
    commit_elsewhere(app, frozenset({"tasks"}))
    consumer = _consumer_with_acks(app, tasks)
    _consumer_with_acks(app, other)
    try:
        assert consumer._new_offset(other) == 3  # an ordinary topic: Faust commits past its acks
        assert consumer._new_offset(tasks) is None
        assert list(consumer._acked[tasks]) == []  # and its acks do not pile up
    finally:
        consumer._thread.thread_loop.close()  # the consumer thread's loop, made but never started

