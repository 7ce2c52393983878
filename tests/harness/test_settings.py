"""The environment a stack gives its services: explicit, prefixed per service, nothing stale inherited."""

from pathlib import Path

import pytest

from harness.settings import StackSettings, environment, ingest_url, lint_layout
from ingest.settings import IngestSettings
from schemas.topics import TopicNames

SHELL = {
    "PATH": "/usr/bin",
    "TOPICS__JOBS": "someone.elses.jobs",
    "INGEST_ZIP_LIMITS__MAX_TOTAL_BYTES": "1",
    "INGEST_URL": "http://elsewhere:1",
    "PROCESSORS_LINT_WORKERS": "8",
}


def _settings(**overrides: object) -> StackSettings:
    base: dict = {"kafka": "k:9092", "database_url": "sqlite:///x.db", "workdir": Path("/w")}
    return StackSettings(**{**base, **overrides})


def test_a_private_stack_names_everything_it_owns_under_the_services_prefixes() -> None:
    topics = TopicNames(**{key: f"t.{key}" for key in TopicNames.model_fields})
    env = environment(_settings(topics=topics, group="g", partitions=4, port=1234, storage=Path("/s"),
                                env={"SINK_BATCH_WINDOW_SECONDS": "0.02"}), SHELL)
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "k:9092" and env["DATABASE_URL"] == "sqlite:///x.db"
    assert env["INGEST_PORT"] == "1234"
    assert env["PROCESSORS_CONSUMER_GROUP_ID"] == "g-proc" and env["SINK_CONSUMER_GROUP_ID"] == "g-sink"
    assert {k: v for k, v in env.items() if k.startswith("TOPICS__")} == {
        f"TOPICS__{key.upper()}": f"t.{key}" for key in TopicNames.model_fields
    }
    assert env["TOPIC_PARTITIONS"] == "4" and env["NFS_SHARE_ROOT_PATH"] == "/s"
    assert env["SINK_BATCH_WINDOW_SECONDS"] == "0.02" and env["LOG_LEVEL"] == "INFO"
    assert "INGEST_ZIP_LIMITS__MAX_TOTAL_BYTES" not in env and "INGEST_URL" not in env
    assert not {"CONSUMER_GROUP_ID", "PORT", "METRICS_PORT", "HOST"} & set(env)


def test_make_run_keeps_the_callers_settings_but_not_the_harness_own_url() -> None:
    env = environment(_settings(private=False), SHELL)
    assert env["TOPICS__JOBS"] == "someone.elses.jobs"
    assert env["PROCESSORS_LINT_WORKERS"] == "8"
    assert "INGEST_URL" not in env and "LOG_LEVEL" not in env and "INGEST_PORT" not in env


def test_ingest_url_follows_the_ingest_settings() -> None:
    assert ingest_url({}) == "http://127.0.0.1:8080"
    assert ingest_url({"INGEST_HOST": "0.0.0.0", "INGEST_PORT": "9000"}) == "http://127.0.0.1:9000"
    assert ingest_url({"INGEST_HOST": "10.1.2.3"}) == "http://10.1.2.3:8080"


def test_lint_layout_shares_two_cores() -> None:
    assert lint_layout(1) == ({"PROCESSORS_LINT_WORKERS": "2"},)
    assert lint_layout(2) == ({"PROCESSORS_LINT_WORKERS": "1"}, {"PROCESSORS_LINT_WORKERS": "1"})


def test_authentication_is_off_unless_the_caller_or_the_run_turns_it_on() -> None:
    assert environment(_settings(), SHELL)["AUTH_REQUIRED"] == "false"
    callers = {**SHELL, "AUTH_REQUIRED": "true"}
    assert environment(_settings(private=False), callers)["AUTH_REQUIRED"] == "true"
    assert environment(_settings(env={"AUTH_REQUIRED": "true"}), SHELL)["AUTH_REQUIRED"] == "true"


def test_a_stack_lifts_the_tenant_limits_unless_the_caller_sets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A benchmark or fault run is one tenant far above a team's share; the ingest must read it so."""
    env = environment(_settings(), SHELL)
    for name, value in env.items():
        if name.startswith("TENANT_LIMITS__"):
            monkeypatch.setenv(name, value)
    limits = IngestSettings().tenant_limits.for_tenant("default")
    assert min(limits.requests_per_second, limits.burst, limits.max_active_jobs) >= 1_000_000
    callers = {**SHELL, "TENANT_LIMITS__DEFAULT__MAX_ACTIVE_JOBS": "3"}
    assert environment(_settings(private=False), callers)["TENANT_LIMITS__DEFAULT__MAX_ACTIVE_JOBS"] == "3"
