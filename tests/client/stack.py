"""A whole running stack (ingest, processors, sink on SQLite, private topics) for end-to-end client tests.

Shared by tests/client and tests/infra/test_ci_integrations.py: both run the
real ``sqllint`` console script (or the CI files' scripts around it) against it.
"""

from collections.abc import Iterator

import pytest

from harness import resources
from harness.stack import Stack, running
from tests.ops.conftest import ops_stack_settings


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The module's stack, stopped after its last test."""
    with resources.temporary_topics(kafka_bootstrap, "cli") as topics, running(
        ops_stack_settings(kafka_bootstrap, tmp_path_factory.mktemp("cli-stack"), topics)
    ) as started:
        yield started
