"""Queues, lag and the workers' health against a real broker; a broker that is gone is a registered 503."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.settings import IngestSettings
from schemas.monitoring import QueuesView, WorkersHealth
from schemas.topics import TopicNames
from tests.ingest.beats import commit, eventually, heartbeat, produce, publish
from tests.ingest.transactions import in_transactions, open_transaction, read_and_commit

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def watched(settings: IngestSettings, group: str) -> IngestSettings:
    return settings.model_copy(
        update={"consumer_groups": {group: "processors"}, "lag_sample_interval_s": 0.2}
    )


async def _leaders_elected(client: Client) -> bool | None:
    """True once the new topics' offsets can be listed (their partitions have leaders)."""
    return True if (await client.get("/api/v1/monitoring/queues")).status == 200 else None


@pytest.fixture
async def ops(watched: IngestSettings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(watched))) as client:
        await eventually(lambda: _leaders_elected(client))
        yield client


async def queues(client: Client) -> QueuesView:
    resp = await client.get("/api/v1/monitoring/queues")
    assert resp.status == 200, await resp.text()
    return QueuesView.model_validate_json(await resp.read())


async def health(client: Client) -> tuple[int, WorkersHealth]:
    resp = await client.get("/api/v1/health/workers")
    return resp.status, WorkersHealth.model_validate_json(await resp.read())


async def test_offsets_lag_and_dead_letters(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames, group: str
) -> None:
    produce(kafka_bootstrap, topic_names.tasks, 5, partition=0)
    produce(kafka_bootstrap, topic_names.tasks, 3, partition=1)
    produce(kafka_bootstrap, topic_names.dead_letter, 2)
    commit(kafka_bootstrap, group, topic_names.tasks, {0: 2})
    view = await queues(ops)
    tasks = next(t for t in view.topics if t.name == "tasks")
    assert tasks.topic == topic_names.tasks and tasks.messages == 8
    assert [(p.partition, p.start_offset, p.end_offset) for p in tasks.partitions] == [
        (0, 0, 5),
        (1, 0, 3),
        (2, 0, 0),
        (3, 0, 0),
    ]
    (lag,) = tasks.groups
    assert (lag.group_id, lag.lag) == (group, 6)
    assert [(p.partition, p.committed, p.lag) for p in lag.partitions] == [
        (0, 2, 3),
        (1, None, 3),
        (2, None, 0),
        (3, None, 0),
    ]
    assert view.total_lag == 6
    assert (view.dead_letter_topic, view.dead_letter_messages) == (topic_names.dead_letter, 2)
    assert all(not t.groups for t in view.topics if t.name != "tasks")


async def test_transactions_leave_no_lag_a_reader_cannot_read(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames, group: str
) -> None:
    tasks = topic_names.tasks
    # p0: records 0-2, marker 3, aborted 4-5, marker 6, records 7-8, marker 9.
    in_transactions(kafka_bootstrap, tasks, 0, [(3, True), (2, False), (2, True)])
    in_transactions(kafka_bootstrap, tasks, 1, [(3, False)])  # nothing a reader is given
    in_transactions(kafka_bootstrap, tasks, 3, [(2, True)])  # two records the group has not read
    assert read_and_commit(kafka_bootstrap, group, tasks, 0) == 5  # commits 9, one short of the end
    with open_transaction(kafka_bootstrap, tasks, 2, 4):
        view = await queues(ops)
    (topic,) = (t for t in view.topics if t.name == "tasks")
    assert [p.end_offset for p in topic.partitions] == [10, 4, 0, 3]  # p2: the open records lie past it
    (lag,) = topic.groups
    assert [(p.partition, p.committed, p.lag) for p in lag.partitions] == [
        (0, 9, 0),
        (1, None, 0),
        (2, None, 0),
        (3, None, 2),
    ]
    assert lag.lag == view.total_lag == 2
    after = await queues(ops)  # the aborted transaction is decided: its records and marker are no lag
    (topic,) = (t for t in after.topics if t.name == "tasks")
    ends_and_lags = zip(topic.partitions, topic.groups[0].partitions, strict=True)
    assert [(p.end_offset, g.lag) for p, g in ends_and_lags] == [(10, 0), (4, 0), (5, 0), (3, 2)]


async def test_healthy_with_a_worker_of_each_role(
    ops: Client, kafka_bootstrap: str, topic_names: TopicNames
) -> None:
    status, body = await health(ops)
    assert status == 503
    assert set(body.reasons) == {"no live processors worker", "no live sink worker"}
    publish(kafka_bootstrap, topic_names, heartbeat("processors@h-1"))

    async def only_sink_missing() -> WorkersHealth | None:
        _, found = await health(ops)
        return found if found.alive["processors"] == 1 else None

    assert (await eventually(only_sink_missing)).reasons == ("no live sink worker",)
    publish(kafka_bootstrap, topic_names, heartbeat("sink@h-1", "sink"))

    async def healthy() -> WorkersHealth | None:
        code, found = await health(ops)
        return found if code == 200 else None

    body = await eventually(healthy)
    assert (body.status, body.alive, body.total_lag, body.reasons) == (
        "healthy",
        {"processors": 1, "sink": 1},
        0,
        (),
    )
    assert body.lag_samples


async def test_lag_that_only_grows_is_unhealthy(
    watched: IngestSettings, kafka_bootstrap: str, topic_names: TopicNames, group: str
) -> None:
    rising = watched.model_copy(update={"lag_window_s": 1.0, "lag_floor": 5})
    publish(kafka_bootstrap, topic_names, heartbeat("processors@h-2"), heartbeat("sink@h-2", "sink"))
    commit(kafka_bootstrap, group, topic_names.tasks, {0: 0})
    async with TestClient(TestServer(create_app(rising))) as client:
        await eventually(lambda: _leaders_elected(client))
        await eventually(lambda: _healthy(client))
        for _ in range(12):  # a producer outpacing a group that never moves
            await asyncio.to_thread(produce, kafka_bootstrap, topic_names.tasks, 2)
            await asyncio.sleep(0.15)
        status, body = await health(client)
    assert status == 503 and body.total_lag == 24
    (reason,) = body.reasons
    assert reason.startswith("lag grew from ") and "without falling" in reason


async def _healthy(client: Client) -> bool | None:
    return True if (await health(client))[0] == 200 else None


async def test_without_a_broker_answers_are_registered_503s(db_url: str, storage_root: Path) -> None:
    offline = IngestSettings(
        kafka_bootstrap_servers="127.0.0.1:1",
        database_url=db_url,
        nfs_share_root_path=storage_root,
        monitoring_timeout_s=0.5,
        retry_after_s=7,
        auth_required=False,
    )
    async with TestClient(TestServer(create_app(offline))) as client:
        for path in (
            "/api/v1/monitoring/queues",
            "/api/v1/monitoring/workers",
            "/api/v1/monitoring/workers/x-1",
        ):
            resp = await client.get(path)
            assert resp.status == 503, path
            assert resp.headers["Retry-After"] == "7"
            assert (await resp.json())["error"]["code"] == "KAFKA_UNAVAILABLE"
        status, body = await health(client)
        assert status == 503 and body.total_lag is None
        assert [r.split(":")[0] for r in body.reasons] == ["workers unknown", "lag unknown"]
        assert (await client.get("/api/v1/monitoring/system")).status == 200
