"""The committed environment files: kustomize reads exactly what the check and compose read."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.env_file import read_env
from deploy.environment_rules import ENVIRONMENTS
from deploy.settings_catalog import secret_names

ROOT = Path(__file__).resolve().parents[2]


def _kustomize_data(env_file: Path, folder: Path) -> dict[str, str]:
    """The ConfigMap data the real ``kubectl kustomize`` generates from ``env_file``."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is not on PATH: install it (Debian/Ubuntu package kubectl)")
    shutil.copy(env_file, folder / env_file.name)
    kustomization = {"configMapGenerator": [{"name": "settings", "envs": [env_file.name]}]}
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(kustomization), encoding="utf-8")
    command = [kubectl, "kustomize", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)["data"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_kustomize_reads_the_values_the_check_reads(tmp_path: Path, environment: str) -> None:
    path = ROOT / "config" / f"{environment}.env"
    values, problems = read_env(path)
    assert problems == []
    assert _kustomize_data(path, tmp_path) == values


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_file_says_what_it_is_for_and_where_secrets_come_from(environment: str) -> None:
    text = (ROOT / "config" / f"{environment}.env").read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert all(line.startswith("#") for line in header.splitlines())
    # Every secret the settings classes mark is named where an operator looks first.
    secrets = secret_names()
    assert set(secrets) >= {"DATABASE_URL", "OPERATOR_TOKEN", "WEBHOOK_SIGNING_KEY"}
    assert "Secrets never live here" in header
    for name in secrets:
        assert name in header, f"{environment}.env's header does not say where {name} comes from"


def test_environments_differ_where_the_plan_says() -> None:
    files = {env: read_env(ROOT / "config" / f"{env}.env")[0] for env in ENVIRONMENTS}
    assert [files[env]["LOG_LEVEL"] for env in ENVIRONMENTS] == ["DEBUG", "INFO", "WARNING"]
    assert files["dev"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    for env in ("staging", "production"):
        assert len(files[env]["KAFKA_BOOTSTRAP_SERVERS"].split(",")) == 3
        assert (files[env]["TOPIC_REPLICATION_FACTOR"], files[env]["TOPIC_MIN_INSYNC_REPLICAS"]) == ("3", "2")
    assert all(files[env]["LOG_FORMAT"] == "json" for env in ENVIRONMENTS)
