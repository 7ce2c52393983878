"""A worker's readiness is holding partitions; static membership and short sessions come from the settings."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from runtime.faust.app import HEARTBEAT_INTERVAL_S, SESSION_TIMEOUT_S, build_app
from runtime.faust.readiness import READY_PATH, readiness_body
from runtime.faust.resources import WorkerResources
from runtime.faust.worker_state import WorkerState
from runtime.settings import WorkerSettings
from schemas.worker_events import AssignedPartition


def _state(partitions: int) -> WorkerState:
    state = WorkerState(role="processors", consumer_group="g", host="h", pid=7)
    state.assigned = lambda: tuple(AssignedPartition(topic="t", partition=p) for p in range(partitions))
    return state


def test_a_worker_without_partitions_is_not_ready_and_says_why() -> None:
    assert readiness_body(_state(0)) == (
        503, {"status": "not_ready", "worker_id": "processors@h-7", "reason": "waiting for partitions"})
    assert readiness_body(_state(3)) == (
        200, {"status": "ready", "worker_id": "processors@h-7", "reason": "holding 3 partitions"})


def test_a_paused_worker_stays_ready_and_a_stopping_one_is_not() -> None:
    state = _state(2)
    state.state = "paused"
    assert state.readiness() == (True, "holding 2 partitions (paused)")
    state.state = "stopping"
    assert state.readiness() == (False, "stopping")


def _settings(tmp_path: Path, **overrides: object) -> WorkerSettings:
    return WorkerSettings(consumer_group_id="kit-g", faust_datadir=tmp_path / "faust", **overrides)


def test_the_slot_id_makes_the_member_static_and_sessions_are_short(tmp_path: Path) -> None:
    settings = _settings(tmp_path, group_instance_id="processors-0")
    conf = build_app(settings, WorkerResources(settings)).app.conf
    assert conf.consumer_group_instance_id == "processors-0"
    assert conf.broker_session_timeout == SESSION_TIMEOUT_S
    assert conf.broker_heartbeat_interval == HEARTBEAT_INTERVAL_S
    dynamic = _settings(tmp_path)
    assert build_app(dynamic, WorkerResources(dynamic)).app.conf.consumer_group_instance_id is None


def test_slot_ids_are_names_kafka_and_urls_take(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="group_instance_id"):
        _settings(tmp_path, group_instance_id="processors 0")


def test_the_page_is_served_beside_metrics_only_by_a_worker_with_a_state_and_a_port(tmp_path: Path) -> None:
    state = _state(0)
    served = _settings(tmp_path, metrics_port=9123)
    assert READY_PATH in build_app(served, WorkerResources(served), state=state).app.web.views
    assert READY_PATH not in build_app(served, WorkerResources(served)).app.web.views
