"""Values checked by the services' own settings classes, in an environment holding only them."""

import os

import pytest

from deploy.service_validation import invalid_values, only_environ, unknown_names
from deploy.settings_catalog import is_known, secret_names


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("INGEST_PROT", "unknown ingest setting(s): INGEST_PROT (did you mean INGEST_PORT?)"),
        ("SINK_LOG_LEVEL", "shared settings carry no prefix: use LOG_LEVEL"),
        ("PROCESSORS_LINT_WROKERS", "did you mean PROCESSORS_LINT_WORKERS?"),
        ("LOG_LEVLE", "no service reads it (did you mean LOG_LEVEL?)"),
        ("LINT_WORKERS", "did you mean PROCESSORS_LINT_WORKERS?"),
        ("TOPICS__JOBZ", "did you mean TOPICS__JOBS?"),
        ("INGEST_ZIP_LIMITS__MAX_RATIOO", "did you mean INGEST_ZIP_LIMITS__MAX_RATIO?"),
        ("DEBUG", "no service reads it"),
    ],
)
def test_unknown_names_are_named_with_the_nearest_real_one(name: str, words: str) -> None:
    problems = unknown_names({name: "1", "LOG_LEVEL": "INFO"})
    assert [p.name for p in problems] == [name]
    assert words in problems[0].message


def test_known_names_include_nested_members_dict_keys_and_the_tracing_library() -> None:
    names = ("TOPICS__TASKS", "INGEST_CONSUMER_GROUPS__G1", "OTEL_EXPORTER_OTLP_ENDPOINT", "DATABASE_URL")
    assert all(map(is_known, names))
    assert not is_known("TOPICS")  # the nested model itself is spelt member by member
    assert secret_names() == ("DATABASE_URL", "KAFKA_SASL_PASSWORD", "OPERATOR_TOKEN", "WEBHOOK_SIGNING_KEY")


@pytest.mark.parametrize(
    ("name", "value", "words", "services"),
    [
        ("TOPIC_PARTITIONS", "many", "valid integer", "ingest, processors, sink"),
        ("INGEST_PORT", "99999", "less than or equal to 65535", "ingest"),
        ("INGEST_ZIP_LIMITS__MAX_RATIO", "abc", "valid number", "ingest"),
        ("INGEST_CONSUMER_GROUPS", '{"g": "lint"}', "key 'g': Input should be 'processors'", "ingest"),
        ("PROCESSORS_CACHE_ENABLED", "maybe", "valid boolean", "processors"),
        ("LOG_FORMAT", "xml", "'auto', 'console' or 'json'", "ingest, processors, sink"),
        ("SINK_BATCH_SIZE", "0", "greater than or equal to 1", "sink"),
    ],
)
def test_wrong_values_name_the_variable_and_its_readers(
    name: str, value: str, words: str, services: str
) -> None:
    problems = invalid_values({name: value, "LOG_LEVEL": "INFO"})
    assert [p.name for p in problems] == [name]
    assert words in problems[0].message
    assert problems[0].message.endswith(f"; read by {services}")


def test_the_real_environment_neither_leaks_in_nor_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCESSORS_LINT_WROKERS", "4")  # would stop the processors if it leaked in
    monkeypatch.setenv("TOPIC_PARTITIONS", "not a number")
    before = dict(os.environ)
    assert invalid_values({"LOG_LEVEL": "DEBUG"}) == []
    assert dict(os.environ) == before
    with only_environ({"A": "1"}):
        assert dict(os.environ) == {"A": "1"}
    assert dict(os.environ) == before

