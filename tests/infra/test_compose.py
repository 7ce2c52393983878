"""infra/docker/compose.yml, checked without a Docker engine.

The Compose specification's own JSON schema validates it (check-jsonschema's vendored
``compose-spec``, shown to reject a misspelt key); the rest is what a schema cannot know:
the broker is the Kafka the tests run, our services build from our Dockerfile with settings
they really have, processors can scale, every referenced file exists, every service is bounded
in CPU and memory, and the monitoring services stay behind their profile.
"""

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from opentelemetry.sdk import environment_variables as otel_variables

from ingest.settings import IngestSettings
from processors.settings import ProcessorSettings
from runtime.settings import ServiceSettings, setting_names
from sink.settings import SinkSettings

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "infra" / "docker"
COMPOSE_FILE = DOCKER / "compose.yml"
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS: dict[str, type[ServiceSettings]] = {
    "ingest": IngestSettings, "processors": ProcessorSettings, "sink": SinkSettings, "migrate": SinkSettings,
}
MONITORING = ("prometheus", "grafana", "jaeger")
ENVIRONMENTS = ("dev", "staging", "production")
POM_NAMESPACE = "http://maven.apache.org/POM/4.0.0"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


class MissingVariableError(Exception):
    """``${NAME:?message}`` with NAME unset or empty: compose stops with the message."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``, innermost first (may nest)."""
    pattern = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^${}]*))?\}")
    while (match := pattern.search(text)) is not None:
        value = env.get(match[1])
        if not value and match[2] == ":?":
            raise MissingVariableError(f"{match[1]}: {match[3]}")
        text = text[: match.start()] + (value or match[3] or "") + text[match.end() :]
    return text


def required_variables() -> set[str]:
    """Every ``${NAME:?...}`` of compose.yml: compose refuses to start without them."""
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):\?", COMPOSE_FILE.read_text()))


def env_file(environment: str) -> dict[str, str]:
    path = ROOT / "config" / f"{environment}.env"
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {name: value for name, value in pairs}


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    assert CHECK_JSONSCHEMA.exists(), f"{CHECK_JSONSCHEMA} is missing: make bootstrap installs it"
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, check=False, timeout=60)


def test_the_compose_specification_schema_accepts_it_and_rejects_a_typo(tmp_path: Path) -> None:
    valid = validate(COMPOSE_FILE)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    broken = tmp_path / "compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("stop_grace_period: 45s", "stop_grace_periode: 45s"))
    rejected = validate(broken)
    assert rejected.returncode == 1 and "stop_grace_periode" in rejected.stdout, rejected.stdout


def test_kafka_is_the_version_the_tests_run() -> None:
    pom = ET.parse(ROOT / "infra" / "kafka" / "pom.xml").getroot()
    version = pom.findtext("pom:properties/pom:kafka.version", namespaces={"pom": POM_NAMESPACE})
    assert version and SERVICES["kafka"]["image"] == f"apache/kafka:{version}"
    # KRaft: the broker is its own controller, no ZooKeeper.
    assert SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_our_services_build_from_our_dockerfile_with_their_commands() -> None:
    for name in OURS:
        build = SERVICES[name]["build"]
        assert (COMPOSE_FILE.parent / build["context"]).resolve() == ROOT, name
        assert (ROOT / build["dockerfile"]).resolve() == DOCKER / "Dockerfile", name
    assert SERVICES["migrate"]["command"] == ["python", "-m", "sink.migrate", "upgrade"]
    assert {n: SERVICES[n]["command"][-1] for n in ("ingest", "processors", "sink")} == {
        "ingest": "ingest", "processors": "processors", "sink": "sink",
    }


def test_processors_scale_and_start_after_the_broker_and_the_migration() -> None:
    processors = SERVICES["processors"]
    assert "container_name" not in processors and "ports" not in processors, "--scale needs neither"
    done = {"condition": "service_completed_successfully"}
    assert processors["depends_on"] == {"kafka": {"condition": "service_healthy"}, "migrate": done}
    # The database's users: the owner before the migration, the services' grants after it.
    for name in ("ingest", "sink"):
        assert SERVICES[name]["depends_on"] == {"kafka": {"condition": "service_healthy"}, "db-grants": done}
    assert SERVICES["db-grants"]["depends_on"] == {"migrate": done}
    assert SERVICES["migrate"]["depends_on"] == {"db-owner": done}
    assert SERVICES["db-owner"]["depends_on"] == {"mariadb": {"condition": "service_healthy"}}
    for name in ("migrate", "db-owner", "db-grants"):
        assert SERVICES[name]["restart"] == "no", name
    assert (SERVICES["db-owner"]["command"], SERVICES["db-grants"]["command"]) == (["owner"], ["services"])


def test_what_others_wait_on_is_probed_and_workers_probe_their_metrics_port() -> None:
    waited = {dep for s in SERVICES.values() for dep, c in s.get("depends_on", {}).items()
              if c["condition"] == "service_healthy"}
    for name in waited | {"ingest", "processors", "sink"}:
        assert SERVICES[name]["healthcheck"]["test"], name
    for environment in ENVIRONMENTS:
        settings = env_file(environment)
        for name, prefix in (("processors", "PROCESSORS_"), ("sink", "SINK_")):
            port = settings[f"{prefix}METRICS_PORT"]
            assert f"127.0.0.1:{port}/metrics" in " ".join(SERVICES[name]["healthcheck"]["test"]), environment


def test_every_referenced_file_exists_in_every_environment() -> None:
    for environment in ENVIRONMENTS:
        for name, service in SERVICES.items():
            for entry in service.get("env_file", []):
                if isinstance(entry, dict):  # an optional file of the developer's: only its example exists
                    assert entry["required"] is False, name
                    assert (COMPOSE_FILE.parent / f"{entry['path']}.example").is_file(), entry
                    continue
                path = COMPOSE_FILE.parent / interpolate(entry, {"SQLLINT_ENV": environment})
                assert path.is_file(), f"{name}: {path} is missing"
    binds = [v.split(":")[0] for s in SERVICES.values() for v in s.get("volumes", []) if v.startswith(".")]
    assert binds, "the monitoring services mount their configuration"
    for source in binds:
        assert (COMPOSE_FILE.parent / source).exists(), source
    assert (DOCKER / "secrets.env.example").is_file()


def test_every_service_is_bounded_and_monitoring_needs_its_profile() -> None:
    for name, service in SERVICES.items():
        resources = service["deploy"]["resources"]
        for bound in ("limits", "reservations"):
            assert {"cpus", "memory"} <= set(resources[bound]), f"{name}: {bound}"
        assert service.get("profiles") == (["monitoring"] if name in MONITORING else None), name
    mounts = {v.split(":")[1] for v in SERVICES["prometheus"]["volumes"] if v.startswith(".")}
    assert {"/etc/prometheus/prometheus.yml", "/etc/prometheus/alerts.yml"} <= mounts


def test_our_services_are_given_only_their_own_settings() -> None:
    standard_otel = {name for name in vars(otel_variables) if name.startswith("OTEL_")}
    for name, settings in OURS.items():
        known = set(setting_names(settings)) | standard_otel
        unknown = set(SERVICES[name].get("environment", {})) - known
        assert not unknown, f"{name} has no setting {unknown}"
    # Tracing in dev goes to the monitoring profile's Jaeger only when the developer's local.env asks:
    # without the profile there is no collector, and every failed export would be logged.
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in env_file("dev")
    example = (DOCKER / "local.env.example").read_text().splitlines()
    assert "OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318" in example
    assert "jaeger" in SERVICES and SERVICES["jaeger"]["profiles"] == ["monitoring"]


def test_only_the_storage_and_tmpfs_are_writable_for_our_services() -> None:
    for environment in ENVIRONMENTS:
        settings = env_file(environment)
        for name in OURS:
            service = SERVICES[name]
            assert service["read_only"] is True and service["init"] is True, name
            tmpfs = {entry.split(":")[0] for entry in service["tmpfs"]}
            assert {"/tmp", settings["PROCESSORS_FAUST_DATADIR"], settings["SINK_FAUST_DATADIR"]} <= tmpfs
            assert f"storage:{settings['NFS_SHARE_ROOT_PATH']}" in service["volumes"], name


def test_each_service_is_its_own_database_user_and_kafka_principal_without_a_dev_password() -> None:
    given = {f"SQLLINT_{role}_DB_PASSWORD": f"pw-{role.lower()}" for role in ("OWNER", "INGEST", "SINK")}
    urls = {name: interpolate(SERVICES[name]["environment"]["DATABASE_URL"], given)
            for name in ("migrate", "ingest", "sink")}
    assert urls == {"migrate": "mysql+pymysql://sqllint_owner:pw-owner@mariadb:3306/sqllint",
                    "ingest": "mysql+pymysql://sqllint_ingest:pw-ingest@mariadb:3306/sqllint",
                    "sink": "mysql+pymysql://sqllint_sink:pw-sink@mariadb:3306/sqllint"}
    assert "DATABASE_URL" not in SERVICES["processors"]["environment"], "the processors use no database"
    assert interpolate(SERVICES["ingest"]["environment"]["DATABASE_URL"], {"INGEST_DATABASE_URL": "x"}) == "x"
    users = {name: interpolate(SERVICES[name]["environment"]["KAFKA_SASL_USERNAME"], {})
             for name in ("ingest", "processors", "sink")}
    assert users == {"ingest": "sqllint-ingest", "processors": "sqllint-processors", "sink": "sqllint-sink"}
    for name in users:
        password = SERVICES[name]["environment"]["KAFKA_SASL_PASSWORD"]
        assert interpolate(password, {f"{name.upper()}_KAFKA_SASL_PASSWORD": "k"}) == "k", name
    # No development password: compose stops without the MariaDB ones.
    assert {"MARIADB_ROOT_PASSWORD", *given} <= required_variables()
    for name in ("mariadb", "db-owner"):
        for variable, value in SERVICES[name]["environment"].items():
            if variable.endswith("PASSWORD"):
                with pytest.raises(MissingVariableError):
                    interpolate(value, {})
    assert not re.search(r"sqllint-dev|root-dev|:-admin\}", COMPOSE_FILE.read_text())
    ignored = (DOCKER / ".gitignore").read_text().split()
    assert "secrets.env" in ignored


def test_the_secrets_example_names_every_required_variable() -> None:
    example = (DOCKER / "secrets.env.example").read_text().splitlines()
    named = {line.split("=", 1)[0] for line in example if "=" in line and not line.startswith("#")}
    assert required_variables() <= named
    assert all(line.endswith("=CHANGE-ME") for line in example if "PASSWORD=" in line and line[0] != "#")


def test_dev_secrets_writes_every_required_secret_once_and_prints_none(tmp_path: Path) -> None:
    target = tmp_path / "secrets.env"
    first = subprocess.run(["bash", str(DOCKER / "dev-secrets.sh"), str(target)], capture_output=True,
                           text=True, check=True, timeout=30)
    values = dict(line.split("=", 1) for line in target.read_text().splitlines())
    assert required_variables() <= set(values)
    assert all(re.fullmatch(r"[0-9a-f]{48}", value) for value in values.values())
    assert target.stat().st_mode & 0o777 == 0o600
    again = subprocess.run(["bash", str(DOCKER / "dev-secrets.sh"), str(target)], capture_output=True,
                           text=True, check=True, timeout=30)
    kept = dict(line.split("=", 1) for line in target.read_text().splitlines())
    assert kept == values, "kept, not replaced"
    for output in (first.stdout + first.stderr, again.stdout + again.stderr):
        assert not any(value in output for value in values.values())


def test_the_database_users_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: make tools installs it"
    for script in ("db-users.sh", "dev-secrets.sh"):
        checked = subprocess.run([shellcheck, str(DOCKER / script)], capture_output=True, text=True,
                                 check=False)
        assert checked.returncode == 0, checked.stdout
