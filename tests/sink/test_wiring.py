"""How the sink app is put together, checked without a broker."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas.topics import TopicNames
from sink.app import make_faust_app
from sink.settings import SinkSettings


def test_settings_defaults_and_strictness() -> None:
    settings = SinkSettings()
    assert (settings.consumer_group_id, settings.metrics_port) == ("sqllint-sink", 0)
    with pytest.raises(ValidationError):
        SinkSettings(batch_sizee=3)


def test_app_consumes_the_four_topics_at_least_once(tmp_path: Path) -> None:
    names = TopicNames(jobs="j", tasks="t", progress="p", lint_results="r", dead_letter="d")
    app = make_faust_app(SinkSettings(topics=names, consumer_group_id="g", faust_datadir=tmp_path))
    consumed = {topic for agent in app.agents.values() for topic in agent.channel.topics}
    assert consumed == {"j", "t", "p", "r"}
    assert app.conf.processing_guarantee.value == "at_least_once"
    assert app.conf.consumer_auto_offset_reset == "earliest"
    assert app.conf.datadir == tmp_path / "g"
