"""Building a service's Faust app: the configuration every worker of the pipeline shares.

Stateless workers (no tables, memory store) that move raw bytes (our codec
validates them), produce with ``acks=all``, start a new group at the
earliest offset, and serve HTTP only when a metrics port is set. A service
passes its resources (started before its agents) and its own overrides.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from runtime.faust.control import ControlHandler, WorkerControls
from runtime.faust.dead_letters import DeadLetters
from runtime.faust.heartbeat import Heartbeats
from runtime.faust.isolation import read_committed
from runtime.faust.metrics import KitMetrics, metrics_registry
from runtime.faust.publisher import Publisher
from runtime.faust.readiness import serve_readiness
from runtime.faust.resources import WorkerResources
from runtime.faust.tables import StatelessTableManager
from runtime.faust.worker_state import WorkerState
from runtime.kafka_security import kafka_security
from runtime.settings import WorkerSettings
from schemas.worker_events import ControlAction

FAUST_DEFAULT_WEB_PORT = 6066
# A dead member's partitions move after this long, not Faust's 60 s. Heartbeats come from the
# consumer thread's own event loop, beside the fetcher, never from the agents' loop or the lint
# pool, so a busy worker still beats; BROKER_SESSION_TIMEOUT / BROKER_HEARTBEAT_INTERVAL override.
SESSION_TIMEOUT_S = 10.0
HEARTBEAT_INTERVAL_S = 1.0


@dataclass(frozen=True)
class WorkerApp:
    """The app, and what its agents produce and count with."""

    app: faust.App
    publisher: Publisher
    dead_letters: DeadLetters
    metrics: CollectorRegistry
    kit_metrics: KitMetrics


def datadir_for(settings: WorkerSettings, per_process: bool = False) -> Path:
    """``<faust_datadir>/<app id>``, plus ``/<pid>`` when several workers of one app share a host.

    Creates the parent folders (Faust creates only the last level).
    """
    datadir = Path(settings.faust_datadir) / settings.consumer_group_id
    if per_process:
        datadir = datadir / str(os.getpid())
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return datadir


def build_app(
    settings: WorkerSettings,
    resources: WorkerResources[Any],
    *,
    per_process: bool = False,
    state: WorkerState | None = None,
    controls: Mapping[ControlAction, ControlHandler] | None = None,
    **overrides: Any,
) -> WorkerApp:
    """An app named by the consumer group; nothing connects until it starts.

    ``resources`` becomes the app's first child, so it starts before the
    consumer and the agents and stops after them. ``overrides`` are Faust
    settings a service tunes for its load (buffer sizes, linger, topic declaration).
    With a ``state``, the worker beats on the workers topic (and registers with
    Consul), and its Kafka client id is its worker id, so the group's members name it;
    it also carries out operators' control actions (the kit's, plus the service's ``controls``).
    """
    config: dict[str, Any] = {
        "broker": [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap_servers.split(",")],
        "datadir": str(datadir_for(settings, per_process)),
        "store": "memory://",
        "TableManager": StatelessTableManager,
        "web_enabled": settings.metrics_port > 0,
        "web_port": settings.metrics_port or FAUST_DEFAULT_WEB_PORT,
        "topic_disable_leader": True,
        "key_serializer": "raw",
        "value_serializer": "raw",
        "producer_acks": -1,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": SESSION_TIMEOUT_S,
        "broker_heartbeat_interval": HEARTBEAT_INTERVAL_S,
        # Static membership when the worker has a slot id: restarted, it gets its partitions back at once.
        "consumer_group_instance_id": settings.group_instance_id or None,
        **kafka_security(settings).faust(),
    }
    if state is not None:
        config["broker_client_id"] = state.worker_id
    app = faust.App(settings.consumer_group_id, **{**config, **overrides})
    read_committed(app)  # every worker reads committed records only: runtime/faust/isolation.py
    app.add_dependency(resources)
    if state is not None:  # after the resources (the topics exist), before the group is joined
        app.add_dependency(WorkerControls(app, state, settings, controls))
    publisher = Publisher.for_app(app, settings.topics)
    registry = metrics_registry(app, settings)
    kit = KitMetrics(registry)
    app.on_partitions_assigned.connect(lambda *_args, **_kwargs: kit.rebalances.inc())
    if state is not None:
        Heartbeats(app, publisher, state, settings, kit)
        if settings.metrics_port:
            serve_readiness(app, state)
    return WorkerApp(app, publisher, DeadLetters(publisher, kit.parked), registry, kit)
