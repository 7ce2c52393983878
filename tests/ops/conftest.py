"""Engines and stacks for the operations tests: the workers' metrics, heartbeats, Consul, Prometheus."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from harness import resources
from harness.settings import StackSettings, lint_layout
from runtime.db import create_db_engine
from schemas.topics import TopicNames
from sink.migrate import upgrade

# Beats fast enough for a test to see several, slow enough to cost nothing.
TEST_HEARTBEAT_S = "0.5"


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database at the schema's head, on SQLite and on MariaDB."""
    url: str = request.getfixturevalue("sqlite_db_url" if request.param == "sqlite" else "mysql_db_url")
    upgrade(url)
    db = create_db_engine(url)
    yield db
    db.dispose()


def ops_stack_settings(kafka: str, workdir: Path, topics: TopicNames, **env: str) -> StackSettings:
    """A private stack on SQLite whose workers serve /metrics on their own ports and beat every 0.5 s."""
    ports = {f"{service}_METRICS_PORT": str(resources.free_port()) for service in ("PROCESSORS", "SINK")}
    database = resources.sqlite_url(workdir / "sqllint.db")
    upgrade(database)
    return StackSettings(
        kafka, database, workdir, storage=workdir / "storage",
        topics=topics, group=f"ops-{resources.short_id()}", partitions=4, port=resources.free_port(),
        processors=lint_layout(1),
        env={**ports, "PROCESSORS_HEARTBEAT_INTERVAL_S": TEST_HEARTBEAT_S,
             "SINK_HEARTBEAT_INTERVAL_S": TEST_HEARTBEAT_S, **env},
    )


@pytest.fixture(scope="module")
def ops_topics(kafka_bootstrap: str) -> Iterator[TopicNames]:
    """The module's own topics, the workers and control topics included."""
    with resources.temporary_topics(kafka_bootstrap, "ops") as names:
        yield names
