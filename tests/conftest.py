"""Shared fixtures: a real Kafka broker and a real MariaDB server for the whole suite.

Each comes from, in order: an environment variable (``KAFKA_BOOTSTRAP_SERVERS``,
``TEST_DATABASE_URL``), Docker via testcontainers when an engine answers, or the
repo's scripts (``infra/kafka/kafka.sh start``, ``infra/mariadb.sh ensure``) that
run them as local processes and leave them running for the next session (see
``harness/servers.py``). Servers start lazily: a test that needs neither starts neither.
The ``slow`` and ``integration`` markers only label tests; every test runs.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from harness import resources, servers
from schemas.topics import TopicNames


@pytest.fixture(scope="session")
def _session_stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def kafka_bootstrap(_session_stack: ExitStack) -> str:
    """Bootstrap servers of the session's broker."""
    return servers.kafka_bootstrap(containers=_session_stack)


@pytest.fixture
def unique_id() -> str:
    """A short unique string for consumer group ids, app ids and names."""
    return resources.short_id()


@pytest.fixture
def topic_names(kafka_bootstrap: str, unique_id: str) -> Iterator[TopicNames]:
    """Topic names private to this test, already created (4 partitions for tasks), deleted after."""
    names = resources.private_topics(kafka_bootstrap, "test", unique_id)
    yield names
    resources.delete_topics(kafka_bootstrap, names)


@pytest.fixture(scope="session")
def mysql_server_url(_session_stack: ExitStack) -> str:
    """``mysql+pymysql://...@host:port/`` whose user may create and drop ``test_*`` databases."""
    return servers.mysql_server_url(containers=_session_stack)


@pytest.fixture
def mysql_db_url(mysql_server_url: str) -> Iterator[str]:
    """A fresh, empty MariaDB database, dropped after the test."""
    url, drop = resources.create_database(mysql_server_url)
    yield url
    drop()


@pytest.fixture
def sqlite_db_url(tmp_path: Path) -> str:
    """A fresh SQLite file under the test's tmp_path."""
    return resources.sqlite_url(tmp_path / "sqllint.db")
