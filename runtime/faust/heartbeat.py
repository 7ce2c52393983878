"""A worker's heartbeat: its :class:`WorkerState` on the compacted workers topic, every few seconds.

The newest heartbeat of each worker stays on the topic (compaction keeps one
value per worker id); a clean stop publishes a tombstone for the same key, so
readers forget the worker at once instead of waiting for it to go stale. The
same loop samples the consumer's lag and refreshes the worker's Consul TTL
check, so "registered and passing" means exactly "still beating".
"""

import asyncio
import logging
from typing import Any

import faust
from faust.types import TP

from runtime.consul import ConsulAgent, ttl_service
from runtime.faust.host_usage import host_usage, rss_bytes
from runtime.faust.metrics import KitMetrics
from runtime.faust.publisher import Publisher
from runtime.faust.worker_state import WorkerState
from runtime.settings import WorkerSettings
from schemas.routing import route
from schemas.worker_events import AssignedPartition

log = logging.getLogger(__name__)
# The TTL check turns critical after this many missed beats (and never sooner than TTL_FLOOR_S).
MISSED_BEATS = 3
TTL_FLOOR_S = 5.0


def worker_service(state: WorkerState, settings: WorkerSettings) -> dict[str, Any]:
    """The worker's Consul definition: ``sqllint-<role>``, its metrics port when it serves one."""
    ttl = max(MISSED_BEATS * settings.heartbeat_interval_s, TTL_FLOOR_S)
    fields: dict[str, Any] = {
        "Tags": [state.role, *(["metrics"] if settings.metrics_port else [])],
        "Meta": {"consumer_group": state.consumer_group, "pid": str(state.pid), "host": state.host[:100]},
    }
    if settings.metrics_port:
        fields["Port"] = settings.metrics_port
    return ttl_service(state.worker_id, f"sqllint-{state.role}", ttl, **fields)


class Heartbeats:
    """Beats from the moment the app is fully started until its consumer stopped, then says goodbye."""

    def __init__(
        self, app: faust.App, publisher: Publisher, state: WorkerState, settings: WorkerSettings,
        metrics: KitMetrics,
    ) -> None:
        self.app, self.publisher, self.state, self.settings = app, publisher, state, settings
        self.metrics = metrics
        host = settings.consul_host
        self.consul = ConsulAgent(host, settings.consul_port) if host else None
        self._lock = asyncio.Lock()  # a beat never overtakes the tombstone
        self._closing = False
        state.client_id = app.conf.broker_client_id
        state.assigned = self.assigned
        app.task(self.run)
        app.on_before_shutdown.connect(self.farewell)

    def _assignment(self) -> set[TP]:
        try:
            return set(self.app.consumer.assignment())
        except Exception:  # not started yet, or already closed
            return set()

    def assigned(self) -> tuple[AssignedPartition, ...]:
        """The consumer's current assignment (empty before the first one)."""
        tps = sorted(self._assignment())
        return tuple(AssignedPartition(topic=tp.topic, partition=tp.partition) for tp in tps)

    async def run(self) -> None:
        """Faust's app task: register, then beat every ``heartbeat_interval_s`` until the app stops."""
        await self._register()
        while not self._closing and not self.app.should_stop:
            try:
                await self.beat()
            except Exception:  # a failed beat is logged and the next one tried: beating must go on
                log.exception("heartbeat of %s failed", self.state.worker_id)
            await asyncio.sleep(self.settings.heartbeat_interval_s)

    async def beat(self) -> None:
        """Publish one heartbeat (not awaiting the ack: the next beat supersedes it), gauge it, pass TTL."""
        usage = await asyncio.to_thread(host_usage, self.settings.nfs_share_root_path)
        async with self._lock:
            if self._closing:
                return
            heartbeat = self.state.heartbeat(self.settings.heartbeat_interval_s, rss_bytes=rss_bytes(),
                                             host_usage=usage)
            await self.publisher.publish(heartbeat)
        self.metrics.host_usage(self.state.host, usage)
        tps = self._assignment()
        if tps:
            await self.metrics.sample_lag(self.app.consumer, tps)
        consul = self.consul
        if consul is not None and not await consul.pass_ttl(self.state.worker_id, f"{len(tps)} partitions"):
            await self._register()  # the agent restarted (or was down at start) and forgot us

    async def _register(self) -> None:
        if self.consul is not None and await self.consul.register(worker_service(self.state, self.settings)):
            log.info("registered %s with consul at %s", self.state.worker_id, self.settings.consul_host)

    async def farewell(self, *_args: Any, **_kwargs: Any) -> None:
        """On a clean stop (consumer stopped, producer still up): tombstone, wait for its ack, deregister."""
        async with self._lock:
            self._closing = True
            self.state.state = "stopping"
            topic, key = route(self.state.heartbeat(self.settings.heartbeat_interval_s), self.publisher.names)
            try:
                delivery = await self.publisher.topic(topic).send(key=key, value=None)
                await asyncio.wait_for(delivery, timeout=10)
            except Exception:  # the broker is gone: readers will see the heartbeat go stale instead
                log.exception("could not publish the tombstone of %s", self.state.worker_id)
        if self.consul is not None:
            await self.consul.deregister(self.state.worker_id)
            await self.consul.close()
