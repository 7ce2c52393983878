"""The workers views against a real broker: heartbeats on a private workers topic, real group members."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from confluent_kafka import Consumer

from ingest.app import create_app
from ingest.settings import IngestSettings
from schemas.monitoring import SystemView, WorkerHost, WorkersView, WorkerView
from schemas.topics import TopicNames
from tests.ingest.beats import USAGE, eventually, heartbeat, publish

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def ops(settings: IngestSettings, group: str) -> AsyncIterator[Client]:
    watched = settings.model_copy(
        update={"consumer_groups": {group: "processors"}, "worker_stale_after_s": 5.0}
    )
    async with TestClient(TestServer(create_app(watched))) as client:
        yield client


async def workers(client: Client) -> WorkersView:
    resp = await client.get("/api/v1/monitoring/workers")
    assert resp.status == 200, await resp.text()
    return WorkersView.model_validate_json(await resp.read())


def ids(view: WorkersView) -> set[str]:
    return {w.worker_id for w in view.workers}


async def test_heartbeats_make_workers(ops: Client, kafka_bootstrap: str, topic_names: TopicNames) -> None:
    proc = heartbeat("processors@host-a-1", files_done=7, files_failed=1, rss_bytes=123, host_usage=USAGE)
    sink = heartbeat("sink@host-a-2", "sink")
    publish(kafka_bootstrap, topic_names, proc, sink)

    async def both() -> WorkersView | None:
        view = await workers(ops)
        complete = view.heartbeats_loaded and ids(view) == {proc.worker_id, sink.worker_id}
        return view if complete else None

    view = await eventually(both)
    assert view.workers_by_role == {"processors": 1, "sink": 1}
    shown = next(w for w in view.workers if w.role == "processors")
    assert (shown.files_done, shown.files_failed, shown.rss_bytes, shown.pid) == (7, 1, 123, 4321)
    assert shown.last_heartbeat == proc.sent_at and not shown.in_group
    assert shown.uptime_s is not None and shown.uptime_s >= 60

    resp = await ops.get(f"/api/v1/monitoring/workers/{sink.worker_id}")
    assert resp.status == 200
    assert WorkerView.model_validate_json(await resp.read()).role == "sink"
    resp = await ops.get("/api/v1/monitoring/workers/nobody@nowhere-1")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "WORKER_NOT_FOUND"


async def test_stale_and_tombstoned_workers_disappear(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    publish(
        kafka_bootstrap,
        topic_names,
        heartbeat("processors@old-1", age_s=60),
        heartbeat("sink@gone-1", "sink"),
    )

    async def sink_seen() -> WorkersView | None:
        view = await workers(ops)
        return view if "sink@gone-1" in ids(view) else None

    assert "processors@old-1" not in ids(await eventually(sink_seen))
    publish(kafka_bootstrap, topic_names, tombstones=("sink@gone-1",))

    async def sink_gone() -> WorkersView | None:
        view = await workers(ops)
        return view if not view.workers else None

    await eventually(sink_gone)
    assert (await ops.get("/api/v1/monitoring/workers/sink@gone-1")).status == 404


def _join(bootstrap: str, group: str, topic: str, client_id: str) -> Consumer:
    """A real member of ``group`` holding partitions of ``topic``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": client_id})
    consumer.subscribe([topic])
    return consumer


async def _member_with_partitions(client: Client, consumer: Consumer) -> WorkersView | None:
    await asyncio.to_thread(consumer.poll, 0.5)  # membership lives in poll
    view = await workers(client)
    return view if view.workers and view.workers[0].assigned else None


async def test_group_members_and_their_heartbeats(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames, group: str
) -> None:
    consumer = _join(kafka_bootstrap, group, topic_names.tasks, "member-1")
    try:
        view = await eventually(lambda: _member_with_partitions(ops, consumer), within=60)
        (member,) = view.workers
        assert (member.state, member.role, member.in_group, member.last_heartbeat) == (
            "unknown",
            "processors",
            True,
            None,
        )
        assert {a.partition for a in member.assigned} == {0, 1, 2, 3}
        group_view = next(g for g in view.groups if g.group_id == group)
        assert (group_view.members, group_view.role) == (1, "processors")
        # Control needs a heartbeating worker: a bare member reads no control topic.
        beat = heartbeat("processors@member-1", consumer_group=group, client_id="member-1")
        publish(kafka_bootstrap, topic_names, beat)

        async def joined() -> WorkersView | None:
            await asyncio.to_thread(consumer.poll, 0.2)
            found = await workers(ops)
            return found if found.workers and found.workers[0].worker_id == beat.worker_id else None

        (worker,) = (await eventually(joined)).workers
        assert worker.in_group and worker.member_id == member.member_id and len(worker.assigned) == 4
    finally:
        await asyncio.to_thread(consumer.close)

    async def left() -> WorkersView | None:
        found = await workers(ops)
        return found if not found.workers else None

    await eventually(left)  # its heartbeat is fresh, but its settled group no longer lists it


async def test_system_shows_this_host_and_worker_hosts(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    beat = heartbeat("processors@host-a-9", host_usage=USAGE)
    publish(kafka_bootstrap, topic_names, beat)

    async def reported() -> SystemView | None:
        view = SystemView.model_validate_json(await (await ops.get("/api/v1/monitoring/system")).read())
        return view if view.worker_hosts else None

    view = await eventually(reported)
    assert (
        view.ingest.cpu_count >= 1 and view.ingest.memory_total_bytes > 0 and view.ingest.disk.total_bytes > 0
    )
    assert view.ingest.storage_root is not None and view.ingest.storage_root.total_bytes > 0
    assert view.worker_hosts == (
        WorkerHost(host="host-a", workers=(beat.worker_id,), usage=USAGE, reported_at=beat.sent_at),
    )
