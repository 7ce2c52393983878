"""Where a Kafka broker and a MariaDB server come from: found, or started.

Order of choice: an explicit address, then an environment variable
(``KAFKA_BOOTSTRAP_SERVERS``, ``TEST_DATABASE_URL``), then Docker
(testcontainers) when the caller hands over an ``ExitStack`` to stop the
containers with and an engine answers, then the repo's own scripts that run the
servers as local processes. Those local servers are left running on purpose:
starting them again is idempotent and takes well under a second, while a cold
Kafka start costs seconds. Stop them with ``make kafka-stop mariadb-stop``.
"""

import os
import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import make_url
from testcontainers.community.kafka import KafkaContainer
from testcontainers.community.mysql import MySqlContainer

ROOT = Path(__file__).resolve().parent.parent
KAFKA_SH = ROOT / "infra" / "kafka" / "kafka.sh"
MARIADB_SH = ROOT / "infra" / "mariadb.sh"


def run_script(*args: str | Path, timeout: float = 900, check: bool = True) -> str:
    """Run one of the infra scripts; its output is in the error when it fails."""
    proc = subprocess.run(
        ["bash", *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def docker_answers() -> bool:
    """True when a Docker engine is usable, so containers can replace local processes."""
    if shutil.which("docker") is None:
        return False
    try:
        return (
            subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False).returncode == 0
        )
    except subprocess.TimeoutExpired:
        return False


def local_kafka() -> str:
    """The repo's single-node broker (``kafka.sh start``, idempotent); its bootstrap address."""
    run_script(KAFKA_SH, "start")
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def kafka_bootstrap(explicit: str | None = None, containers: ExitStack | None = None) -> str:
    """Bootstrap servers: given, from the environment, a container (stopped by ``containers``), or local."""
    if explicit or os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return explicit or os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    if containers is not None and docker_answers():
        container = containers.enter_context(KafkaContainer().with_kraft())
        return str(container.get_bootstrap_server())
    return local_kafka()


def mysql_server_url(containers: ExitStack | None = None) -> str:
    """A server URL (no database) whose user may create and drop ``test_*`` databases."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    if containers is not None and docker_answers():
        container = containers.enter_context(
            MySqlContainer("mariadb:11.4", dialect="pymysql", username="root", password="test")
        )
        return make_url(container.get_connection_url()).set(database="").render_as_string(False)
    run_script(MARIADB_SH, "ensure")
    return run_script(MARIADB_SH, "test-url").strip()
