"""What an environment may not run with, beyond what the settings classes accept.

The classes accept every development default on purpose (a laptop needs no
secrets), so staging and production are held to more: a real database with
a real password, an operator token, JSON logs, replicated topics, no CORS
wildcard. Pure functions of (environment, values), so each rule is tested
on its own without a file or a service.
"""

import json
from collections.abc import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from deploy.problem import Problem
from deploy.settings_catalog import catalog

ENVIRONMENTS = ("dev", "staging", "production")
STRICT = frozenset({"staging", "production"})
# The passwords of infra/mariadb.sh and the development compose file, known to anyone with the repo.
DEV_PASSWORDS = frozenset({"sqllint-dev", "root-dev", "sqllint-test-dev"})
PLACEHOLDERS = ("replace_me", "replace-me", "changeme", "change_me", "change-me", "placeholder")
MIN_TOKEN_LENGTH = 32
# The names runtime/telemetry/logging.py install() knows; any other silently logs at INFO.
LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"})
FALSE = frozenset({"0", "false", "no", "off"})


def _int(values: Mapping[str, str], name: str) -> int | None:
    """The value (or the classes' default) as an integer; None when invalid (reported elsewhere)."""
    raw = values.get(name, str(catalog()[name].field.default))
    return int(raw) if raw.strip().isdigit() else None


def _placeholder(secret: str) -> bool:
    return any(mark in secret.lower() for mark in PLACEHOLDERS)


def general_rules(values: Mapping[str, str]) -> list[Problem]:
    """Values every environment gets wrong alike: the classes accept them, the services misbehave."""
    problems = []
    level = values.get("LOG_LEVEL")
    if level is not None and level.upper() not in LOG_LEVELS:
        problems.append(Problem("LOG_LEVEL", f"unknown level {level!r}: the services would log at INFO"))
    factor, insync = _int(values, "TOPIC_REPLICATION_FACTOR"), _int(values, "TOPIC_MIN_INSYNC_REPLICAS")
    if factor is not None and insync is not None and insync > factor:
        problems.append(Problem(
            "TOPIC_MIN_INSYNC_REPLICAS",
            f"{insync} is above TOPIC_REPLICATION_FACTOR {factor}: no write could be acknowledged",
        ))
    return problems


SECURED_KAFKA = frozenset({"SASL_SSL", "SSL"})


def _database_problems(url: str) -> list[str]:
    if url.startswith("sqlite"):
        return ["SQLite is the development database: services on several hosts cannot share it"]
    try:
        password = make_url(url).password
    except ArgumentError:
        return ["not a SQLAlchemy URL (dialect+driver://user:password@host/database)"]
    if not password:
        return ["no password in the URL"]
    if str(password) in DEV_PASSWORDS or _placeholder(str(password)):
        return ["the password is a development default or a placeholder"]
    return []


def _secret_problems(values: Mapping[str, str]) -> list[Problem]:
    url, token = values.get("DATABASE_URL"), values.get("OPERATOR_TOKEN")
    if url is None:
        problems = [Problem("DATABASE_URL", "missing secret: the services would use their own SQLite file")]
    else:
        problems = [Problem("DATABASE_URL", message) for message in _database_problems(url)]
    if token is None:
        problems.append(Problem("OPERATOR_TOKEN", "missing secret: nobody could drain or pause workers"))
    elif _placeholder(token) or len(token) < MIN_TOKEN_LENGTH:
        problems.append(Problem("OPERATOR_TOKEN", f"a placeholder or under {MIN_TOKEN_LENGTH} characters"))
    return problems


def _strict_value_problems(values: Mapping[str, str]) -> list[Problem]:
    problems = []
    if values.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") not in SECURED_KAFKA:
        problems.append(Problem(
            "KAFKA_SECURITY_PROTOCOL", "Kafka without TLS and authentication: anyone who reaches a broker "
            "could forge results or poison the cache (use SASL_SSL)",
        ))
    if values.get("LOG_FORMAT") == "console":
        problems.append(Problem("LOG_FORMAT", "console logs are for terminals: log collectors need json"))
    if _int(values, "TOPIC_REPLICATION_FACTOR") == 1:
        problems.append(Problem("TOPIC_REPLICATION_FACTOR", "1 (or unset): losing one broker loses data"))
    try:
        origins = json.loads(values.get("INGEST_CORS_ALLOWED_ORIGINS", "[]"))
    except json.JSONDecodeError:
        origins = []  # the settings class reports the malformed value
    if isinstance(origins, list) and "*" in origins:
        problems.append(Problem("INGEST_CORS_ALLOWED_ORIGINS", "'*' lets any web page call the API"))
    problems.extend(
        Problem(name, "authentication may not be switched off here")
        for name, value in sorted(values.items())
        if name.endswith("AUTH_REQUIRED") and value.strip().lower() in FALSE
    )
    return problems


def environment_rules(environment: str, values: Mapping[str, str]) -> list[Problem]:
    """Every rule ``environment`` is held to; staging and production refuse development defaults."""
    problems = general_rules(values)
    if environment in STRICT:
        problems += _secret_problems(values) + _strict_value_problems(values)
    return sorted(problems)
