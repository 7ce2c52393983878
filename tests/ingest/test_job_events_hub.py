"""Per-job fan-out: each stream of a job gets its events, a slow one is dropped alone, shutdown ends all."""

import asyncio
import threading
import uuid

import pytest

from ingest.event_hub import DROPPED, SHUTTING_DOWN, EventHub, StreamClosedError
from schemas.events import JobExpanded, utc_now

JOB_A, JOB_B = uuid.uuid4(), uuid.uuid4()
AT = utc_now()


def expanded(job: uuid.UUID, count: int) -> JobExpanded:
    return JobExpanded(job_id=job, task_count=count, expanded_at=AT)


async def test_each_job_reaches_only_its_own_streams() -> None:
    hub = EventHub(queue_size=10)
    a1, a2, b = hub.subscribe(str(JOB_A)), hub.subscribe(str(JOB_A)), hub.subscribe(str(JOB_B))
    assert hub.watched == {str(JOB_A), str(JOB_B)}
    hub.publish(str(JOB_A), expanded(JOB_A, 1))
    hub.publish(str(JOB_A), expanded(JOB_A, 2))
    assert await a1.next_batch(1) == [expanded(JOB_A, 1), expanded(JOB_A, 2)]
    assert await a2.next_batch(1) == [expanded(JOB_A, 1), expanded(JOB_A, 2)]
    assert await b.next_batch(0.05) == []
    for sub in (a1, a2, b):
        hub.unsubscribe(sub)
        hub.unsubscribe(sub)  # a disconnect racing the shutdown: harmless
    assert hub.watched == frozenset()


async def test_a_slow_stream_is_dropped_without_holding_back_the_others() -> None:
    hub = EventHub(queue_size=3)
    slow, fast = hub.subscribe(str(JOB_A)), hub.subscribe(str(JOB_A))
    received = []
    for count in range(6):
        hub.publish(str(JOB_A), expanded(JOB_A, count))
        received += await fast.next_batch(1)
    assert [e.task_count for e in received] == list(range(6))
    with pytest.raises(StreamClosedError, match="fell behind") as closed:
        await slow.next_batch(1)
    assert str(closed.value) == DROPPED
    assert hub.watched == {str(JOB_A)}  # the fast one only
    hub.unsubscribe(fast)


async def test_shutdown_wakes_every_stream_and_refuses_new_ones() -> None:
    hub = EventHub(queue_size=2)
    sub = hub.subscribe(str(JOB_A))
    waiting = asyncio.create_task(sub.next_batch(30))
    await asyncio.sleep(0)
    hub.close()
    with pytest.raises(StreamClosedError, match="shutting down"):
        await waiting
    with pytest.raises(StreamClosedError) as late:
        await hub.subscribe(str(JOB_B)).next_batch(1)
    assert str(late.value) == SHUTTING_DOWN
    assert hub.watched == frozenset()


async def test_events_from_the_feed_thread_arrive_on_the_loop() -> None:
    hub = EventHub(queue_size=10)
    hub.publish_threadsafe(str(JOB_A), expanded(JOB_A, 9))  # not open yet: nowhere to go, dropped
    hub.open(asyncio.get_running_loop())
    sub = hub.subscribe(str(JOB_A))
    thread = threading.Thread(target=hub.publish_threadsafe, args=(str(JOB_A), expanded(JOB_A, 1)))
    thread.start()
    thread.join()
    assert await sub.next_batch(1) == [expanded(JOB_A, 1)]
