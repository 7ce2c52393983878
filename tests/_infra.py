"""Where the test suite gets its Kafka broker and MariaDB server from.

Order of choice: an explicit environment variable, then Docker (testcontainers)
when an engine answers, then the repo's own scripts that run the servers as
local processes. Those local servers are left running after the session on
purpose: starting them again is idempotent and takes well under a second, while
a cold Kafka start costs seconds per session. Stop them with
``make kafka-stop mariadb-stop``.
"""

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient
from sqlalchemy import create_engine, make_url, text
from testcontainers.community.kafka import KafkaContainer
from testcontainers.community.mysql import MySqlContainer

from runtime.kafka_admin import ensure_topics
from schemas.topics import TopicNames

ROOT = Path(__file__).resolve().parent.parent
KAFKA_SH = ROOT / "infra" / "kafka" / "kafka.sh"
MARIADB_SH = ROOT / "infra" / "mariadb.sh"


def short_id() -> str:
    """Ten hex characters: unique enough per test, short enough for topic and database names."""
    return uuid.uuid4().hex[:10]


def private_topics(bootstrap: str, prefix: str, uid: str, **ensure: Any) -> TopicNames:
    """Every topic of the pipeline under ``<prefix>.<uid>.``, created (4 task partitions unless told)."""
    names = TopicNames(**{key: f"{prefix}.{uid}.{key.replace('_', '-')}" for key in TopicNames.model_fields})
    ensure_topics(bootstrap, names, **{"partitions": 4, **ensure})
    return names


def run_script(*args: str | Path, timeout: float = 900, check: bool = True) -> str:
    """Run one of the infra scripts; its output is shown when it fails (pytest shows the error)."""
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


def kafka_bootstrap(stack: ExitStack) -> str:
    """Bootstrap servers for the session; containers are stopped through ``stack``."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    if docker_answers():
        container = stack.enter_context(KafkaContainer().with_kraft())
        return str(container.get_bootstrap_server())
    run_script(KAFKA_SH, "start")
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def mysql_server_url(stack: ExitStack) -> str:
    """A server URL (no database) whose user may create and drop ``test_*`` databases."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    if docker_answers():
        container = stack.enter_context(
            MySqlContainer("mariadb:11.4", dialect="pymysql", username="root", password="test")
        )
        return make_url(container.get_connection_url()).set(database="").render_as_string(False)
    run_script(MARIADB_SH, "ensure")
    return run_script(MARIADB_SH, "test-url").strip()


def create_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create ``test_<unique>``; return its URL and the function that drops it."""
    name = f"test_{short_id()}"
    engine = create_engine(server_url)
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        engine.dispose()

    return make_url(server_url).set(database=name).render_as_string(False), drop


def delete_topics(bootstrap: str, names: list[str]) -> None:
    """Best-effort cleanup so a long-lived local broker does not fill up with test topics."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(names, operation_timeout=30).values():
        future.result(30)


def group_members(bootstrap: str, group: str, topic: str) -> dict[str, list[int]]:
    """Partitions of ``topic`` each live member of the consumer group holds."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    description = admin.describe_consumer_groups([group])[group].result(timeout=30)
    return {
        m.member_id: [tp.partition for tp in m.assignment.topic_partitions if tp.topic == topic]
        for m in description.members
    }
