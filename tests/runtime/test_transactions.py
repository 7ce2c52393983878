"""The kit's transactions on the real broker: offset order in a partition, and fencing of a stale owner."""

import asyncio
import time
from pathlib import Path

import faust
import pytest
from faust.types import TP, Message

from processors.settings import ProcessorSettings
from runtime.faust.isolation import read_committed
from runtime.faust.publisher import Outgoing
from runtime.faust.transactions import PartitionTransactions
from schemas.topics import TopicNames
from tests.committed_reads import committed_reads

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


def _owner(settings: ProcessorSettings, name: str) -> PartitionTransactions:
    """A worker's transactions over the tasks topic (its app never starts: only its signals are used)."""
    app = faust.App(
        f"{settings.consumer_group_id}-{name}", broker=f"kafka://{settings.kafka_bootstrap_servers}"
    )
    read_committed(app)
    return PartitionTransactions(app, settings, [settings.topics.tasks], linger_ms=0)


def _event(app: faust.App, tp: TP, offset: int) -> faust.Event:
    """A delivery as Faust's consumer makes it; the sensor is told of it as the consumer would."""
    message = Message(tp.topic, tp.partition, offset, time.time(), 0, [], None, b"in", None, tp=tp)
    return faust.Event(app, None, b"in", [], message)


@pytest.fixture
def settings(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, tmp_path: Path
) -> ProcessorSettings:
    return ProcessorSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topics=topic_names,
        consumer_group_id=f"txn-{unique_id}",
        nfs_share_root_path=tmp_path,
        faust_datadir=tmp_path / "faust",
    )


async def _until(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_finished_events_commit_only_as_a_contiguous_prefix_in_offset_order(
    settings: ProcessorSettings, kafka_bootstrap: str
) -> None:
    owner = _owner(settings, "a")
    tp = TP(settings.topics.tasks, 0)
    await owner.on_assigned(None, {tp})
    events = [_event(owner._app, tp, offset) for offset in range(3)]
    for event in events:
        owner.arrived(tp, event.message.offset, event.message)

    def finish(offset: int) -> None:
        out = [Outgoing(settings.topics.lint_results, b"k", f"out-{offset}".encode(), None)]
        assert owner.finish(events[offset], out)

    finish(2)
    finish(1)
    await asyncio.sleep(2)  # offset 0 still runs: nothing may commit past it
    assert tp not in owner.committed
    finish(0)
    await _until(lambda: owner.committed.get(tp) == 3)
    await owner.on_revoked(None, {tp})
    values, committed = await asyncio.to_thread(
        committed_reads, kafka_bootstrap, settings.topics.lint_results, settings.consumer_group_id, tp
    )
    assert values == [b"out-0", b"out-1", b"out-2"]
    assert committed == 3


async def test_a_producer_fenced_by_the_partitions_new_owner_commits_nothing(
    settings: ProcessorSettings, kafka_bootstrap: str
) -> None:
    stale, new = _owner(settings, "stale"), _owner(settings, "new")
    tp = TP(settings.topics.tasks, 1)
    await stale.on_assigned(None, {tp})
    old_event = _event(stale._app, tp, 0)
    stale.arrived(tp, 0, old_event.message)
    await new.on_assigned(None, {tp})  # e.g. the stale worker was paused past its session timeout

    stale.finish(old_event, [Outgoing(settings.topics.lint_results, b"k", b"stale", None)])
    await asyncio.sleep(3)
    assert tp not in stale.committed
    assert not stale.finish(_event(stale._app, tp, 1), [])  # fenced: nothing more here

    new_event = _event(new._app, tp, 0)
    new.arrived(tp, 0, new_event.message)
    assert new.finish(new_event, [Outgoing(settings.topics.lint_results, b"k", b"new", None)])
    await _until(lambda: new.committed.get(tp) == 1)
    await asyncio.gather(stale.on_revoked(None, {tp}), new.on_revoked(None, {tp}))
    values, committed = await asyncio.to_thread(
        committed_reads, kafka_bootstrap, settings.topics.lint_results, settings.consumer_group_id, tp
    )
    assert values == [b"new"]
    assert committed == 1


async def test_a_new_owner_publishes_nothing_below_what_its_predecessor_committed_last(
    settings: ProcessorSettings, kafka_bootstrap: str
) -> None:
    """The KIP-447 window: the new owner fetched from offset 0, then the old one's commit of 0..1 landed."""
    old, new = _owner(settings, "old"), _owner(settings, "new")
    tp = TP(settings.topics.tasks, 2)
    await old.on_assigned(None, {tp})
    early = [_event(new._app, tp, offset) for offset in range(3)]  # the new owner's fetch, from 0
    for offset in range(2):
        event = _event(old._app, tp, offset)
        old.arrived(tp, offset, event.message)
        assert old.finish(
            event, [Outgoing(settings.topics.lint_results, b"k", f"old-{offset}".encode(), None)]
        )
    await _until(lambda: old.committed.get(tp) == 2)
    for event in early:  # delivered (and handled) before the new owner's producer was open
        new.arrived(tp, event.message.offset, event.message)
        assert new.finish(
            event,
            [Outgoing(settings.topics.lint_results, b"k", f"new-{event.message.offset}".encode(), None)],
        )
    await new.on_assigned(None, {tp})
    await _until(lambda: new.committed.get(tp) == 3)
    await asyncio.gather(old.on_shutdown(), new.on_shutdown())
    values, committed = await asyncio.to_thread(
        committed_reads, kafka_bootstrap, settings.topics.lint_results, settings.consumer_group_id, tp
    )
    assert values == [b"old-0", b"old-1", b"new-2"]
    assert committed == 3
