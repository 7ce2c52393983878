"""One real stack (ingest, processors, sink as subprocesses) per test module, on MariaDB."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness import resources
from harness.settings import StackSettings, lint_layout
from harness.stack import Stack, running
from schemas.topics import TopicNames
from tests.e2e.web_browser import WatchedPage, chromium, watched_page


def stack_settings(kafka_bootstrap: str, db_url: str, workdir: Path, storage: Path, topics: TopicNames,
                   group: str, processors: int = 1) -> StackSettings:
    """The settings every end-to-end stack shares: private topics and groups, 4 task partitions."""
    return StackSettings(kafka_bootstrap, db_url, workdir, storage=storage, topics=topics, group=group,
                         partitions=4, port=resources.free_port(), processors=lint_layout(processors))


@pytest.fixture(scope="module")
def e2e_topics(kafka_bootstrap: str) -> Iterator[TopicNames]:
    with resources.temporary_topics(kafka_bootstrap, "e2e") as names:
        yield names


@pytest.fixture(scope="module")
def e2e_db_url(mysql_server_url: str) -> Iterator[str]:
    with resources.migrated_database(mysql_server_url) as url:
        yield url


@pytest.fixture(scope="module")
def storage_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, e2e_db_url: str, storage_root: Path, e2e_topics: TopicNames,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = stack_settings(kafka_bootstrap, e2e_db_url, tmp_path_factory.mktemp("stack"), storage_root,
                              e2e_topics, f"e2e-{resources.short_id()}")
    with running(settings) as started:
        yield started


# The web page's tests (a stack of their own each, by the module's ``stack``): one Chromium per module.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as started:
        yield started


@pytest.fixture
def web(browser: Browser, stack: Stack) -> Iterator[WatchedPage]:
    with watched_page(browser, stack.base_url) as watched:
        yield watched
