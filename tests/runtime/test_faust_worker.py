"""The worker command line the kit hands to Faust: log level, log file and web port from the settings."""

from pathlib import Path

from processors.settings import ProcessorSettings
from runtime.faust.worker import worker_argv
from sink.settings import SinkSettings


def test_worker_argv_maps_log_settings(tmp_path: Path) -> None:
    assert worker_argv(SinkSettings(log_level="WARNING")) == ["worker", "-l", "warn", "--without-web"]
    log_file = tmp_path / "sink.log"
    assert worker_argv(SinkSettings(log_level="debug", log_file=log_file)) == [
        "worker",
        "-l",
        "debug",
        "--without-web",
        "-f",
        str(log_file),
    ]
    assert worker_argv(SinkSettings(metrics_port=9102))[3:] == ["--web-port", "9102"]


def test_unknown_levels_fall_back_to_info_and_critical_is_crit() -> None:
    assert worker_argv(ProcessorSettings(log_level="verbose"))[:3] == ["worker", "-l", "info"]
    assert worker_argv(ProcessorSettings(log_level="CRITICAL"))[:3] == ["worker", "-l", "crit"]


def test_the_log_file_folder_is_created(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "deep" / "processors.log"
    assert worker_argv(ProcessorSettings(log_file=log_file))[-2:] == ["-f", str(log_file)]
    assert log_file.parent.is_dir()
