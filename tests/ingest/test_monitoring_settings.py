"""The operations settings as operators set them, and the lag rule on its own samples."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest.lag_history import LagHistory
from ingest.settings import IngestSettings
from runtime.settings_sources import SettingsError

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_operator_token_is_read_without_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPERATOR_TOKEN", "t0ken")
    monkeypatch.setenv("INGEST_CONSUMER_GROUPS", '{"g-proc": "processors"}')
    monkeypatch.setenv("INGEST_CORS_ALLOWED_ORIGINS", '["http://dash.example"]')
    settings = IngestSettings()
    assert settings.operator_token is not None and settings.operator_token.get_secret_value() == "t0ken"
    assert "t0ken" not in repr(settings)
    assert settings.consumer_groups == {"g-proc": "processors"}
    assert settings.cors_allowed_origins == ("http://dash.example",)


def test_the_prefixed_token_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_OPERATOR_TOKEN", "t0ken")
    with pytest.raises(SettingsError, match="INGEST_OPERATOR_TOKEN"):
        IngestSettings()


def test_defaults_watch_the_default_groups_and_allow_no_one() -> None:
    settings = IngestSettings()
    assert settings.consumer_groups == {"sqllint-processors": "processors", "sqllint-sink": "sink"}
    assert settings.operator_token is None and settings.cors_allowed_origins == ()


def _history(*lags: int, step_s: float = 1.0) -> LagHistory:
    history = LagHistory(window_s=3, floor=10)
    for i, lag in enumerate(lags):
        history.add(T0 + timedelta(seconds=i * step_s), lag)
    return history


def test_only_a_lag_rising_across_the_whole_window_is_growing() -> None:
    assert _history(20, 30, 40, 50).growing() == "lag grew from 20 to 50 over 3s without falling"
    assert _history(20, 30, 40).growing() is None  # not a whole window yet
    assert _history(20, 30, 25, 50).growing() is None  # it fell once: being worked off
    assert _history(1, 2, 3, 4, 5).growing() is None  # under the floor
    assert _history(40, 40, 40, 40).growing() is None  # steady, not growing


def test_the_history_keeps_one_anchor_before_the_window() -> None:
    history = _history(*range(100, 110))
    assert [s.total_lag for s in history.samples()] == [106, 107, 108, 109]
