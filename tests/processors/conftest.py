"""Settings of a processors app wired to this test's broker, topics, group and storage folder."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from processors.settings import ProcessorSettings
from schemas.topics import TopicNames

SettingsFactory = Callable[..., ProcessorSettings]


@pytest.fixture
def pipeline_settings(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, tmp_path: Path
) -> SettingsFactory:
    """Call with the overrides a test needs; two lint processes unless told otherwise."""

    def make(**overrides: Any) -> ProcessorSettings:
        base: dict[str, Any] = {
            "kafka_bootstrap_servers": kafka_bootstrap,
            "topics": topic_names,
            "consumer_group_id": f"processors-{unique_id}",
            "nfs_share_root_path": tmp_path,
            "faust_datadir": tmp_path / "faust",
            "lint_workers": 2,
        }
        return ProcessorSettings(**{**base, **overrides})

    return make
