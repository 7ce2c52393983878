"""One snapshot of the ingest's operations API, each part read on its own.

Every part is fetched and parsed independently: when the broker is down the
queues answer fails but the workers and hosts still show, and the failure is
named on screen instead of blanking the dashboard. Answers are parsed with
the ``schemas.monitoring`` models straight from the JSON body (they are
strict, so they take datetimes and UUIDs only from JSON text).
"""

import time
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote

from pydantic import ValidationError

from client.http import ApiClient, ApiError, TransportError
from schemas.monitoring import QueuesView, SystemView, View, WorkersHealth, WorkersView, WorkerView
from schemas.statuses import JobStatus

WORKERS = "/api/v1/monitoring/workers"
QUEUES = "/api/v1/monitoring/queues"
SYSTEM = "/api/v1/monitoring/system"
HEALTH = "/api/v1/health/workers"
_UNHEALTHY = frozenset({503})

V = TypeVar("V", bound=View)


@dataclass(frozen=True)
class Snapshot:
    """What the dashboard shows at one refresh; a part that could not be read is None."""

    at: float
    workers: WorkersView | None = None
    queues: QueuesView | None = None
    system: SystemView | None = None
    health: WorkersHealth | None = None
    job_totals: dict[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


class _Reader:
    """Reads parts of one snapshot, collecting what failed instead of raising."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.errors: list[str] = []

    def view(self, model: type[V], path: str, answers: frozenset[int] = frozenset()) -> V | None:
        try:
            return model.model_validate_json(self.api.get_body(path, answers))
        except (ApiError, TransportError) as exc:
            self.errors.append(f"{path}: {exc}")
        except ValidationError as exc:
            self.errors.append(f"{path}: unexpected answer ({exc.error_count()} errors)")
        return None

    def job_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for status in JobStatus:
            try:
                answer = self.api.get(f"/api/v1/jobs?status={status.value}&size=1")
                totals[status.value] = int(answer["total"])
            except (ApiError, TransportError, KeyError, TypeError, ValueError) as exc:
                self.errors.append(f"jobs {status.value}: {exc}")
                return {}
        return totals


def fetch_snapshot(api: ApiClient) -> Snapshot:
    """Read every part of the dashboard once (blocking: call it off the UI loop)."""
    reader = _Reader(api)
    return Snapshot(
        at=time.monotonic(),
        workers=reader.view(WorkersView, WORKERS),
        queues=reader.view(QueuesView, QUEUES),
        system=reader.view(SystemView, SYSTEM),
        health=reader.view(WorkersHealth, HEALTH, _UNHEALTHY),
        job_totals=reader.job_totals(),
        errors=tuple(reader.errors),
    )


def fetch_worker(api: ApiClient, worker_id: str) -> WorkerView:
    """One worker's view; raises ApiError (WORKER_NOT_FOUND once it is gone) or TransportError."""
    body = api.get_body(f"{WORKERS}/{quote(worker_id, safe='')}")
    try:
        return WorkerView.model_validate_json(body)
    except ValidationError as exc:
        raise TransportError(f"unexpected worker answer: {exc.error_count()} errors") from exc
