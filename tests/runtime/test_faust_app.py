"""The kit's app builder: one configuration for every Faust service, checked without a broker."""

import os
from pathlib import Path

import pytest
from prometheus_client import Counter

from processors.app import make_faust_app as processors_app
from processors.settings import ProcessorSettings
from runtime.faust.app import build_app
from runtime.faust.resources import NotStartedError, WorkerResources, opened
from runtime.faust.tables import StatelessTableManager
from runtime.settings import WorkerSettings
from sink.app import make_faust_app as sink_app
from sink.settings import SinkSettings


def _settings(tmp_path: Path, **overrides: object) -> WorkerSettings:
    base: dict[str, object] = {"consumer_group_id": "kit-g", "faust_datadir": tmp_path / "faust"}
    return WorkerSettings(**{**base, **overrides})


def test_every_app_gets_the_shared_configuration(tmp_path: Path) -> None:
    settings = _settings(tmp_path, kafka_bootstrap_servers="a:1, b:2")
    conf = build_app(settings, WorkerResources(settings)).app.conf
    assert [str(url) for url in conf.broker] == ["kafka://a:1", "kafka://b:2"]
    assert conf.id == "kit-g"
    assert conf.datadir == tmp_path / "faust" / "kit-g"
    assert str(conf.store) == "memory:"
    assert (conf.key_serializer, conf.value_serializer) == ("raw", "raw")
    assert (conf.producer_acks, conf.consumer_auto_offset_reset) == (-1, "earliest")
    assert conf.processing_guarantee.value == "at_least_once"
    assert conf.topic_disable_leader is True
    assert conf.web_enabled is False


def test_workers_sharing_a_host_get_a_folder_each(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    conf = build_app(settings, WorkerResources(settings), per_process=True).app.conf
    assert conf.datadir == tmp_path / "faust" / "kit-g" / str(os.getpid())
    assert conf.datadir.parent.is_dir()


def test_web_is_on_only_with_a_metrics_port_and_overrides_win(tmp_path: Path) -> None:
    settings = _settings(tmp_path, metrics_port=9123)
    worker = build_app(settings, WorkerResources(settings), stream_buffer_maxsize=7)
    assert (worker.app.conf.web_enabled, worker.app.conf.web_port) == (True, 9123)
    assert worker.app.conf.stream_buffer_maxsize == 7


def test_each_app_counts_on_its_own_registry(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first, second = (build_app(settings, WorkerResources(settings)) for _ in range(2))
    assert first.metrics is not second.metrics
    for worker in (first, second):  # the same name twice in one process: no clash
        Counter("kit_things", "Things.", registry=worker.metrics).inc()
    assert first.metrics.get_sample_value("kit_things_total") == 1


def test_a_resource_used_before_start_is_a_named_error() -> None:
    with pytest.raises(NotStartedError, match="the lint pool is not open"):
        opened(None, "the lint pool")
    assert opened(3, "a number") == 3


def test_the_services_tune_the_shared_app(tmp_path: Path) -> None:
    proc = processors_app(
        ProcessorSettings(consumer_group_id="p", faust_datadir=tmp_path, stream_buffer_maxsize=9)
    )
    assert proc.conf.datadir == tmp_path / "p" / str(os.getpid())
    assert (proc.conf.stream_buffer_maxsize, proc.conf.producer_max_batch_size) == (9, 256 * 1024)
    assert proc.conf.producer_linger == 0.005
    assert {t for a in proc.agents.values() for t in a.channel.topics} == {
        "sqllint.jobs.v1",
        "sqllint.tasks.v1",
        "sqllint.express-tasks.v1",
    }
    sink = sink_app(SinkSettings(consumer_group_id="s", faust_datadir=tmp_path))
    assert (sink.conf.datadir, sink.conf.topic_allow_declare) == (tmp_path / "s", False)


async def test_the_table_manager_starts_recovery_without_napping(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Faust's own naps a second before its recovery on every start; ours keeps no tables to wait for."""
    settings = _settings(tmp_path)
    tables = build_app(settings, WorkerResources(settings)).app.tables
    assert isinstance(tables, StatelessTableManager)
    started: list[str] = []

    async def nap(_seconds: float) -> None:
        raise AssertionError("the table manager slept")

    async def channels() -> None:  # Faust's step reads the consumer's assignment: none here
        started.append("channels")

    async def recovery_start() -> None:
        started.append("recovery")

    monkeypatch.setattr(tables, "sleep", nap)
    monkeypatch.setattr(tables, "_update_channels", channels)
    monkeypatch.setattr(tables.recovery, "start", recovery_start)
    await tables.on_start()
    assert started == ["channels", "recovery"]
