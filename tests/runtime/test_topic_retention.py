"""Every topic the services create says how long it keeps data; read back from the real broker."""

import time
from collections.abc import Iterator

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigEntry, ConfigResource, ConfigSource, ResourceType

from harness import resources
from runtime.kafka_admin import DAY_MS, ensure_service_topics
from schemas.topics import TopicNames
from sink.settings import SinkSettings

pytestmark = pytest.mark.integration


def _describe(bootstrap: str, names: TopicNames) -> dict[str, dict[str, ConfigEntry]]:
    """Each topic's configs; a topic just created may take a moment to be known to every broker."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    wanted = [ConfigResource(ResourceType.TOPIC, name) for name in names.model_dump().values()]
    deadline = time.monotonic() + 20
    while True:
        try:
            return {res.name: fut.result(30) for res, fut in admin.describe_configs(wanted).items()}
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _check_retention(bootstrap: str, names: TopicNames, cache_retention_ms: int) -> None:
    configs = _describe(bootstrap, names)
    for name, config in configs.items():  # set on the topic itself, never the broker's default
        assert config["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, name
    value = {name: {k: v.value for k, v in config.items()} for name, config in configs.items()}
    assert value[names.lint_cache]["cleanup.policy"] == "compact,delete"
    assert value[names.lint_cache]["retention.ms"] == str(cache_retention_ms)
    assert value[names.workers]["cleanup.policy"] == "compact,delete"
    assert value[names.workers]["retention.ms"] == str(7 * DAY_MS)
    assert value[names.dead_letter]["retention.ms"] == str(30 * DAY_MS)
    assert value[names.control]["retention.ms"] == str(DAY_MS)
    for name in (names.jobs, names.tasks, names.progress, names.lint_results):
        assert value[name]["retention.ms"] == str(7 * DAY_MS)
        assert value[name]["cleanup.policy"] == "delete"


def test_created_topics_carry_an_explicit_retention(kafka_bootstrap: str, topic_names: TopicNames) -> None:
    """Created by the fixture through ensure_topics, the way the harness creates them."""
    _check_retention(kafka_bootstrap, topic_names, 30 * DAY_MS)


@pytest.fixture
def service_topics(kafka_bootstrap: str) -> Iterator[TopicNames]:
    """Names no other test uses, deleted after (the test creates them)."""
    uid = resources.short_id()
    names = TopicNames(**{key: f"ret.{uid}.{key.replace('_', '-')}" for key in TopicNames.model_fields})
    yield names
    resources.delete_topics(kafka_bootstrap, names, strict=False)


def test_the_cache_retention_setting_reaches_the_broker(
    kafka_bootstrap: str, service_topics: TopicNames
) -> None:
    settings = SinkSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topics=service_topics, topic_cache_retention_days=2.5
    )
    assert sorted(ensure_service_topics(settings)) == sorted(service_topics.model_dump().values())
    _check_retention(kafka_bootstrap, service_topics, round(2.5 * DAY_MS))
