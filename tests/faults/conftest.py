"""Fixtures of the fault scenarios: the 3-node cluster (RF 3, min ISR 2) and a work folder."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.runner import FaultEnv
from harness import cluster


@pytest.fixture(scope="session")
def cluster_bootstrap() -> Iterator[str]:
    """The cluster of ``kafka.sh start --cluster``; stopped afterwards only if this session started it."""
    was_running = cluster.running()
    yield cluster.start()
    if not was_running:
        cluster.stop()


@pytest.fixture
def fault_env(cluster_bootstrap: str, mysql_server_url: str, tmp_path: Path) -> FaultEnv:
    return FaultEnv(cluster_bootstrap, mysql_server_url, tmp_path)
