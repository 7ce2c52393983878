"""``python -m deploy config check``: the committed environments pass, and each kind of mistake is caught."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.config_check import Target, check, resolve
from deploy.environment_rules import ENVIRONMENTS
from deploy.settings_catalog import secret_names

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = secrets.token_urlsafe(16)
SECRETS = {
    "DATABASE_URL": f"mysql+pymysql://sqllint:{PASSWORD}@db.example.com:3306/sqllint",
    "OPERATOR_TOKEN": secrets.token_hex(32),
    "KAFKA_SASL_USERNAME": "sqllint-ingest",  # each pod's own principal, given like the secrets
    "KAFKA_SASL_PASSWORD": secrets.token_urlsafe(24),
}


def _secrets_file(tmp_path: Path, values: dict[str, str] = SECRETS) -> Path:
    path = tmp_path / "secrets.env"
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()), encoding="utf-8")
    return path


def _crafted(tmp_path: Path, environment: str, **changes: str) -> Path:
    """The committed file of ``environment`` with ``changes`` replacing (or adding) lines."""
    lines = (ROOT / "config" / f"{environment}.env").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.split("=", 1)[0] not in changes]
    path = tmp_path / f"{environment}.env"
    path.write_text("\n".join(kept + [f"{k}={v}" for k, v in changes.items()]) + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in an environment without the secrets of whoever runs the tests."""
    env = {k: v for k, v in os.environ.items() if k not in secret_names()}
    command = [sys.executable, "-m", "deploy", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_committed_environments_pass_with_secrets_from_a_file_or_the_environment(tmp_path: Path) -> None:
    assert check(resolve("dev"), None, {}) == []
    for environment in ("staging", "production"):
        assert check(resolve(environment), _secrets_file(tmp_path), {}) == []
        assert check(resolve(environment), None, SECRETS) == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_real_command_passes_each_committed_environment(tmp_path: Path, environment: str) -> None:
    extra = [] if environment == "dev" else ["--secrets", str(_secrets_file(tmp_path))]
    result = _run("config", "check", environment, *extra)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert result.stderr.strip() == f"config/{environment}.env ({environment}): ok"


@pytest.mark.parametrize(
    ("changes", "use_secrets", "names"),
    [
        ({"PROCESSORS_LINT_WROKERS": "4"}, True, ["PROCESSORS_LINT_WROKERS"]),
        ({"TOPIC_PARTITIONS": "twelve"}, True, ["TOPIC_PARTITIONS"]),
        ({}, False, ["(settings)", "DATABASE_URL", "OPERATOR_TOKEN"]),  # (settings): no Kafka principal
    ],
    ids=["unknown name", "wrong type", "missing secrets"],
)
def test_the_real_command_exits_1_naming_each_variable(
    tmp_path: Path, changes: dict[str, str], use_secrets: bool, names: list[str]
) -> None:
    extra = ["--secrets", str(_secrets_file(tmp_path))] if use_secrets else []
    result = _run("config", "check", str(_crafted(tmp_path, "staging", **changes)), *extra)
    assert result.returncode == 1, result
    assert [line.split(":", 1)[0] for line in result.stdout.splitlines()] == names
    assert f"{len(names)} problem(s)" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["config", "check", "qa"],
        ["config", "check", "no/x.env"],
        ["config", "check", "dev", "--secrets", "no/secrets.env"],
        ["config", "check", "dev", "--env", "qa"],
        ["config"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = _run(*args)
    assert result.returncode == 2, result
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("changes", "secret_changes", "name"),
    [
        ({"LOG_FORMAT": "console"}, {}, "LOG_FORMAT"),
        ({"TOPIC_REPLICATION_FACTOR": "1", "TOPIC_MIN_INSYNC_REPLICAS": "1"}, {}, "TOPIC_REPLICATION_FACTOR"),
        ({"INGEST_CORS_ALLOWED_ORIGINS": '["*"]'}, {}, "INGEST_CORS_ALLOWED_ORIGINS"),
        ({}, {"DATABASE_URL": "sqlite:////data/sqllint.db"}, "DATABASE_URL"),
        ({}, {"DATABASE_URL": "mysql+pymysql://sqllint:sqllint-dev@db.example.com/sqllint"}, "DATABASE_URL"),
        ({}, {"DATABASE_URL": "mysql+pymysql://sqllint:REPLACE_ME@db.example.com/sqllint"}, "DATABASE_URL"),
        ({}, {"OPERATOR_TOKEN": "changeme"}, "OPERATOR_TOKEN"),
        ({"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, {}, "KAFKA_SECURITY_PROTOCOL"),
    ],
)
@pytest.mark.parametrize("environment", ["staging", "production"])
def test_each_refusal_rule_fires_on_a_crafted_file(
    tmp_path: Path, environment: str, changes: dict[str, str], secret_changes: dict[str, str], name: str
) -> None:
    target = Target(environment, _crafted(tmp_path, environment, **changes))
    problems = check(target, _secrets_file(tmp_path, SECRETS | secret_changes), {})
    assert [p.name for p in problems] == [name]
    assert not any(value in str(problems[0]) for value in secret_changes.values())


def test_secrets_stay_out_of_env_files_and_settings_out_of_secrets_files(tmp_path: Path) -> None:
    leaked = _crafted(tmp_path, "production", DATABASE_URL=SECRETS["DATABASE_URL"])
    wrong = _secrets_file(tmp_path, SECRETS | {"LOG_LEVEL": "DEBUG"})
    problems = check(Target("production", leaked), wrong, {})
    assert [(p.name, p.message.split(":")[0]) for p in problems] == [
        ("LOG_LEVEL", str(wrong)), ("DATABASE_URL", f"a secret in {leaked}")
    ]
    assert PASSWORD not in "".join(map(str, problems))


def test_a_pod_without_its_kafka_principal_is_refused_without_echoing_a_secret(tmp_path: Path) -> None:
    without = {name: value for name, value in SECRETS.items() if name != "KAFKA_SASL_USERNAME"}
    problems = check(resolve("production"), _secrets_file(tmp_path, without), {})
    assert [p.name for p in problems] == ["(settings)"]
    assert "KAFKA_SASL_USERNAME" in problems[0].message
    assert not any(value in problems[0].message for value in SECRETS.values())


def test_only_secret_names_are_taken_from_the_process_environment() -> None:
    shell = SECRETS | {"PROCESSORS_LINT_WROKERS": "4", "TOPIC_PARTITIONS": "x", "LOG_FORMAT": "console"}
    assert check(resolve("production"), None, shell) == []


def test_a_path_gets_the_rules_its_name_or_env_option_says(tmp_path: Path) -> None:
    custom = _crafted(tmp_path, "dev").rename(tmp_path / "laptop.env")
    assert resolve(str(custom)) == Target("production", custom)
    assert resolve(str(custom), "dev") == Target("dev", custom)
    assert _run("config", "check", str(custom), "--env", "dev").returncode == 0
    assert _run("config", "check", str(custom)).returncode == 1


def test_environments_are_found_from_the_working_directory_then_beside_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # like an installed package run from elsewhere
    assert resolve("staging").path == ROOT / "config" / "staging.env"
    (tmp_path / "config").mkdir()  # like the image: /app/config, the package in site-packages
    assert resolve("staging").path == Path("config/staging.env")


def test_the_real_settings_table_command_prints_the_committed_docs() -> None:
    result = _run("settings-table")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
