"""Settings names: shared ones bare, a service's own ones prefixed, typos stopping the service."""

import os
import subprocess
import sys

import pytest

from ingest.settings import IngestSettings
from processors.settings import ProcessorSettings
from runtime.settings import setting_names
from runtime.settings_sources import SettingsError, check_environment
from sink.settings import SinkSettings


def test_shared_names_reach_every_service_and_own_names_only_theirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///shared.db")
    monkeypatch.setenv("SINK_CONSUMER_GROUP_ID", "sink-group")
    monkeypatch.setenv("PROCESSORS_CONSUMER_GROUP_ID", "proc-group")
    monkeypatch.setenv("INGEST_PORT", "8181")
    sink, processors, ingest = SinkSettings(), ProcessorSettings(), IngestSettings()
    assert {sink.database_url, processors.database_url, ingest.database_url} == {"sqlite:///shared.db"}
    assert (sink.consumer_group_id, processors.consumer_group_id) == ("sink-group", "proc-group")
    assert ingest.port == 8181


def test_keyword_construction_uses_field_names() -> None:
    settings = SinkSettings(database_url="sqlite://", kafka_bootstrap_servers="h:1", batch_size=3)
    assert (settings.database_url, settings.kafka_bootstrap_servers) == ("sqlite://", "h:1")
    assert settings.batch_size == 3


def test_a_misspelt_prefixed_name_is_refused_with_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCESSORS_LINT_WROKERS", "2")
    hint = r"PROCESSORS_LINT_WROKERS \(did you mean PROCESSORS_LINT_WORKERS\?\)"
    with pytest.raises(SettingsError, match=hint):
        ProcessorSettings()
    SinkSettings()  # another service's prefix is not the sink's business


def test_a_shared_name_with_a_prefix_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_DATABASE_URL", "sqlite://")
    with pytest.raises(SettingsError, match="use DATABASE_URL"):
        IngestSettings()


def test_a_near_miss_of_a_shared_name_is_warned_about() -> None:
    with pytest.warns(UserWarning, match=r"LOG_LEVLE \(did you mean LOG_LEVEL\?\)"):
        check_environment(SinkSettings, {"LOG_LEVLE": "DEBUG", "LOGNAME": "root", "TEST_DATABASE_URL": "x"})


def test_old_names_work_for_one_release_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIP_LIMITS__MAX_ENTRIES", "9")
    with pytest.warns(FutureWarning, match="set PROCESSORS_ZIP_LIMITS instead"):
        assert ProcessorSettings().zip_limits.max_entries == 9
    monkeypatch.setenv("CONSUMER_GROUP_ID", "old-group")
    with pytest.warns(FutureWarning, match="CONSUMER_GROUP_ID is deprecated: set SINK_CONSUMER_GROUP_ID"):
        assert SinkSettings().consumer_group_id == "old-group"
    monkeypatch.setenv("SINK_CONSUMER_GROUP_ID", "new-group")
    assert SinkSettings().consumer_group_id == "new-group"  # the new name wins, silently


def test_every_setting_has_one_environment_name() -> None:
    names = setting_names(ProcessorSettings)
    assert "KAFKA_BOOTSTRAP_SERVERS" in names and "PROCESSORS_LINT_WORKERS" in names
    assert "LINT_WORKERS" not in names and "PROCESSORS_DATABASE_URL" not in names


@pytest.mark.parametrize("module", ["ingest", "processors", "sink"])
def test_a_service_stops_at_start_naming_the_unknown_variable(module: str) -> None:
    env = {**os.environ, f"{module.upper()}_NO_SUCH_SETTING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", module], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert f"{module.upper()}_NO_SUCH_SETTING" in done.stderr
    assert "Traceback" not in done.stderr
