"""One real stack (ingest, processors, sink as subprocesses) per test module, on MariaDB."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.topics import TopicNames
from sink.migrate import upgrade
from tests import _infra
from tests.e2e.stack import Stack, running_stack, stack_env


def make_topics(kafka_bootstrap: str) -> TopicNames:
    return _infra.private_topics(kafka_bootstrap, "e2e", _infra.short_id())


@pytest.fixture(scope="module")
def e2e_topics(kafka_bootstrap: str) -> Iterator[TopicNames]:
    names = make_topics(kafka_bootstrap)
    yield names
    _infra.delete_topics(kafka_bootstrap, list(names.model_dump().values()))


@pytest.fixture(scope="module")
def e2e_db_url(mysql_server_url: str) -> Iterator[str]:
    url, drop = _infra.create_database(mysql_server_url)
    upgrade(url)
    yield url
    drop()


@pytest.fixture(scope="module")
def storage_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, e2e_db_url: str, storage_root: Path, e2e_topics: TopicNames,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = stack_env(kafka_bootstrap, e2e_db_url, storage_root, e2e_topics, f"e2e-{_infra.short_id()}")
    with running_stack(env, tmp_path_factory.mktemp("logs")) as running:
        yield running
