"""The worker command line the kit hands to Faust: log level, quiet banner and web port from the settings."""

from processors.settings import ProcessorSettings
from runtime.faust.worker import worker_argv
from sink.settings import SinkSettings


def test_worker_argv_maps_log_settings() -> None:
    assert worker_argv(SinkSettings(log_level="WARNING")) == ["-q", "worker", "-l", "warn", "--without-web"]
    assert worker_argv(SinkSettings(log_level="debug")) == ["-q", "worker", "-l", "debug", "--without-web"]
    assert worker_argv(SinkSettings(metrics_port=9102))[4:] == ["--web-port", "9102"]


def test_unknown_levels_fall_back_to_info_and_critical_is_crit() -> None:
    assert worker_argv(ProcessorSettings(log_level="verbose"))[:4] == ["-q", "worker", "-l", "info"]
    assert worker_argv(ProcessorSettings(log_level="CRITICAL"))[:4] == ["-q", "worker", "-l", "crit"]
