"""GET /metrics: refresh what is read at scrape time, then render the registry.

``sql_linting_workers_alive`` counts the fresh heartbeats the ingest already
holds in memory: no broker call, so a scrape stays cheap and never waits on
Kafka, and "alive" means what it means for ``/api/v1/monitoring/workers``
(a heartbeat younger than ``worker_stale_after_s``; a tombstone removes a
worker at once). Until the workers topic has been read to its end once, the
gauge has no series rather than a false zero, so a restarting ingest does not
raise the no-worker alert.
"""

from collections.abc import Mapping
from datetime import datetime

from aiohttp import web

from ingest.operations import ROLES
from ingest.services import SERVICES, Services
from ingest.worker_views import fresh
from schemas.events import utc_now
from schemas.worker_events import WorkerHeartbeat


def alive_by_role(
    beats: Mapping[str, WorkerHeartbeat], now: datetime, stale_after_s: float
) -> dict[str, int]:
    """Role → workers with a fresh heartbeat; every role is present, 0 when it has none (what alerts need)."""
    alive = dict.fromkeys(ROLES, 0)
    for beat in fresh(beats, now, stale_after_s).values():
        alive[beat.role] = alive.get(beat.role, 0) + 1
    return alive


def count_workers(services: Services) -> None:
    """Set ``sql_linting_workers_alive`` from the heartbeats, once they are complete."""
    reader = services.operations.heartbeats
    if not reader.loaded:
        return
    counts = alive_by_role(reader.snapshot(), utc_now(), services.settings.worker_stale_after_s)
    for role, count in counts.items():
        services.metrics.workers_alive.labels(role).set(count)


async def scrape(request: web.Request) -> web.Response:
    """Prometheus text; ``sql_linting_active_jobs`` is counted in the database (cached for a second)."""
    services = request.app[SERVICES]
    await services.active_jobs.refresh()
    count_workers(services)
    return await services.metrics.handle(request)
