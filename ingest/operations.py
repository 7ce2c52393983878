"""The operations use cases: workers, queues, hosts, the workers' health, and control actions.

Everything here reads what already exists (heartbeats on the workers topic,
group descriptions and offsets from the brokers, psutil) and writes one thing:
a ``worker.control`` event, through the same acks=all publisher and routing
table as jobs. Broker calls block, so they run in threads; a background task
samples the total lag so the health check can tell a growing backlog from a burst.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import get_args
from uuid import uuid4

from ingest.errors import RequestRejectedError
from ingest.heartbeats import HeartbeatReader
from ingest.kafka_ops import KafkaOps
from ingest.lag_history import LagHistory
from ingest.producer import KafkaPublisher
from ingest.queue_views import queue_topics, queues_view, spans_to_read
from ingest.settings import IngestSettings
from ingest.system import ingest_host, prime_cpu, worker_hosts
from ingest.worker_views import fresh, group_views, groups_to_describe, live_workers
from runtime.kafka_admin import KafkaUnavailableError
from runtime.kafka_security import kafka_security
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError
from schemas.events import utc_now
from schemas.monitoring import ControlAccepted, QueuesView, SystemView, WorkersHealth, WorkersView, WorkerView
from schemas.worker_events import ControlAction, WorkerControl, WorkerRole

log = logging.getLogger(__name__)
ROLES: tuple[WorkerRole, ...] = get_args(WorkerRole)


class Operations:
    """One per app; :meth:`running` opens the heartbeat reader, the admin client and the lag sampler."""

    def __init__(self, settings: IngestSettings, publisher: KafkaPublisher, storage_root: Path) -> None:
        self._settings = settings
        self._publisher = publisher
        self._storage_root = storage_root
        self._stale_s = settings.worker_stale_after_s
        security = kafka_security(settings)
        self.heartbeats = HeartbeatReader(
            settings.kafka_bootstrap_servers, settings.topics.workers, security=security
        )
        self._kafka = KafkaOps(settings.kafka_bootstrap_servers, settings.monitoring_timeout_s, security)
        self.lag = LagHistory(settings.lag_window_s, settings.lag_floor)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Open on entry, close on exit (the app's cleanup context)."""
        self._kafka.open()
        self.heartbeats.start()
        prime_cpu()
        sampler = asyncio.create_task(self._sample_lag(), name="lag-sampler")
        try:
            yield
        finally:
            sampler.cancel()
            with suppress(asyncio.CancelledError):
                await sampler
            await asyncio.to_thread(self.heartbeats.close)
            await asyncio.to_thread(self._kafka.close)  # waits for a read of the queues in progress

    async def _sample_lag(self) -> None:
        while True:
            try:
                await self.queues()
            except LintServiceError as exc:
                log.warning("lag sample skipped: %s", exc.message)
            await asyncio.sleep(self._settings.lag_sample_interval_s)

    def _roles(self) -> dict[str, WorkerRole]:
        beats = fresh(self.heartbeats.snapshot(), utc_now(), self._stale_s)
        return groups_to_describe(self._settings.consumer_groups, beats)

    async def workers(self) -> WorkersView:
        """Every live worker of every monitored group."""
        roles = self._roles()
        groups = await asyncio.to_thread(self._kafka.describe_groups, roles)
        if groups and all(g.error is not None for g in groups):
            raise KafkaUnavailableError(f"no consumer group could be described: {groups[0].error}")
        now = utc_now()
        workers = live_workers(self.heartbeats.snapshot(), groups, roles, now, self._stale_s)
        return WorkersView(
            generated_at=now,
            total_workers=len(workers),
            workers_by_role={role: sum(w.role == role for w in workers) for role in ROLES},
            workers=tuple(workers),
            groups=group_views(groups, roles),
            heartbeats_loaded=self.heartbeats.loaded,
        )

    async def worker(self, worker_id: str) -> WorkerView:
        """One live worker, or WORKER_NOT_FOUND."""
        for view in (await self.workers()).workers:
            if view.worker_id == worker_id:
                return view
        raise RequestRejectedError(ErrorCode.WORKER_NOT_FOUND, f"no live worker {worker_id!r}")

    async def queues(self) -> QueuesView:
        """Partitions, offsets and lags of the queue topics; also a sample of the lag history."""
        view = await asyncio.to_thread(self._read_queues, sorted(self._roles()))
        self.lag.add(view.generated_at, view.total_lag)
        return view

    def _read_queues(self, groups: list[str]) -> QueuesView:
        names = self._settings.topics
        partitions = self._kafka.partitions(queue_topics(names).values())
        marks = self._kafka.watermarks(partitions)
        committed = {group: self._kafka.committed(group) for group in groups}
        readable = self._kafka.readable(spans_to_read(marks, committed))
        return queues_view(names, partitions, marks, committed, readable, utc_now())

    async def system(self) -> SystemView:
        """The ingest's host measured now; the workers' hosts from their live heartbeats."""
        ingest = await asyncio.to_thread(ingest_host, self._storage_root)
        now = utc_now()
        beats = fresh(self.heartbeats.snapshot(), now, self._stale_s)
        return SystemView(generated_at=now, ingest=ingest, worker_hosts=worker_hosts(beats.values()))

    async def health(self) -> WorkersHealth:
        """Healthy: a live worker of each role, and a lag that is not only growing."""
        reasons: list[str] = []
        alive = dict.fromkeys(ROLES, 0)
        try:
            for view in (await self.workers()).workers:
                alive[view.role] += 1
            reasons += [f"no live {role} worker" for role, count in alive.items() if count == 0]
        except LintServiceError as exc:
            reasons.append(f"workers unknown: {exc.code}: {exc.message}")
        total_lag: int | None = None
        try:
            total_lag = (await self.queues()).total_lag
        except LintServiceError as exc:
            reasons.append(f"lag unknown: {exc.code}: {exc.message}")
        growing = self.lag.growing()
        if growing is not None:
            reasons.append(growing)
        return WorkersHealth(
            status="unhealthy" if reasons else "healthy",
            generated_at=utc_now(),
            alive=alive,
            total_lag=total_lag,
            lag_samples=self.lag.samples(),
            reasons=tuple(reasons),
        )

    async def control(self, worker_id: str, action: ControlAction) -> ControlAccepted:
        """Publish the action for a live, heartbeating worker (acks=all); its ack comes in a heartbeat."""
        view = await self.worker(worker_id)
        if view.last_heartbeat is None:
            raise RequestRejectedError(
                ErrorCode.WORKER_NOT_FOUND,
                f"{worker_id!r} never sent a heartbeat: it reads no control actions",
            )
        event = WorkerControl(request_id=uuid4(), worker_id=worker_id, action=action)
        await self._publisher.publish(event)
        return ControlAccepted(
            request_id=event.request_id, worker_id=worker_id, action=action, requested_at=event.requested_at
        )
