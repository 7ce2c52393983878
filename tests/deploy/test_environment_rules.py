"""Staging and production refuse development defaults; every environment refuses values that misbehave."""

import pytest

from deploy.environment_rules import MIN_TOKEN_LENGTH, environment_rules, general_rules

TOKEN = "t" * MIN_TOKEN_LENGTH
RF, MIN_ISR, CORS = "TOPIC_REPLICATION_FACTOR", "TOPIC_MIN_INSYNC_REPLICAS", "INGEST_CORS_ALLOWED_ORIGINS"
# What a correct staging or production environment holds (values from the committed files).
GOOD = {
    "DATABASE_URL": "mysql+pymysql://sqllint:Xq9-vault-generated@db.example.com:3306/sqllint",
    "OPERATOR_TOKEN": TOKEN,
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "WARNING",
    "TOPIC_REPLICATION_FACTOR": "3",
    "TOPIC_MIN_INSYNC_REPLICAS": "2",
    "INGEST_CORS_ALLOWED_ORIGINS": '["https://lint.example.com"]',
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
}


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_a_good_environment_passes(environment: str) -> None:
    assert environment_rules(environment, GOOD) == []


@pytest.mark.parametrize(
    ("changes", "name", "words"),
    [
        ({"DATABASE_URL": "sqlite:///var/sqllint.db"}, "DATABASE_URL", "SQLite"),
        ({"DATABASE_URL": "mysql+pymysql://sqllint:sqllint-dev@db/sqllint"}, "DATABASE_URL", "development"),
        ({"DATABASE_URL": "mysql+pymysql://root:root-dev@db/sqllint"}, "DATABASE_URL", "development"),
        ({"DATABASE_URL": "mysql+pymysql://sqllint:REPLACE_ME@db/sqllint"}, "DATABASE_URL", "placeholder"),
        ({"DATABASE_URL": "mysql+pymysql://sqllint:changeme@db/sqllint"}, "DATABASE_URL", "placeholder"),
        ({"DATABASE_URL": "mysql+pymysql://sqllint@db/sqllint"}, "DATABASE_URL", "no password"),
        ({"DATABASE_URL": "db.example.com"}, "DATABASE_URL", "not a SQLAlchemy URL"),
        ({"DATABASE_URL": None}, "DATABASE_URL", "missing secret"),
        ({"OPERATOR_TOKEN": None}, "OPERATOR_TOKEN", "missing secret"),
        ({"OPERATOR_TOKEN": "REPLACE_ME" * 4}, "OPERATOR_TOKEN", "placeholder"),
        ({"OPERATOR_TOKEN": "short"}, "OPERATOR_TOKEN", f"under {MIN_TOKEN_LENGTH}"),
        ({"LOG_FORMAT": "console"}, "LOG_FORMAT", "json"),
        ({RF: "1", MIN_ISR: "1"}, RF, "broker"),
        ({RF: None, MIN_ISR: None}, RF, "unset"),
        ({CORS: '["https://a.example.com", "*"]'}, CORS, "'*'"),
        ({"INGEST_AUTH_REQUIRED": "false"}, "INGEST_AUTH_REQUIRED", "authentication"),
        ({"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL", "forge results"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL", "without TLS"),
        ({"KAFKA_SECURITY_PROTOCOL": None}, "KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
    ],
)
@pytest.mark.parametrize("environment", ["staging", "production"])
def test_each_development_default_is_refused(
    environment: str, changes: dict[str, str | None], name: str, words: str
) -> None:
    values = {k: v for k, v in (GOOD | changes).items() if v is not None}
    problems = environment_rules(environment, values)
    assert [p.name for p in problems] == [name], problems
    assert words in problems[0].message
    assert environment_rules("dev", values) == general_rules(values) == []


def test_dev_needs_no_secrets_and_accepts_its_defaults() -> None:
    dev = {"DATABASE_URL": "mysql+pymysql://sqllint:sqllint-dev@mariadb/sqllint", "LOG_FORMAT": "console"}
    assert environment_rules("dev", dev) == []
    assert environment_rules("dev", {}) == []


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_every_environment_refuses_values_the_services_would_misread(environment: str) -> None:
    values = GOOD | {"LOG_LEVEL": "verbose", "TOPIC_MIN_INSYNC_REPLICAS": "4"}
    problems = {p.name: p.message for p in environment_rules(environment, values)}
    assert "would log at INFO" in problems["LOG_LEVEL"]
    assert "above TOPIC_REPLICATION_FACTOR 3" in problems["TOPIC_MIN_INSYNC_REPLICAS"]


def test_invalid_numbers_are_left_to_the_settings_classes() -> None:
    values = GOOD | {"TOPIC_REPLICATION_FACTOR": "three", "INGEST_CORS_ALLOWED_ORIGINS": "[not json"}
    assert environment_rules("production", values) == []
