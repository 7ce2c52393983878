"""The servers and tools a run needs: Kafka, a fresh database, topics, wrk and py-spy.

Copied in spirit from ``tests/_infra.py`` (bench must not depend on the tests):
the repo's scripts start the local broker and MariaDB, and each run gets its own
topics and database, removed at the end.
"""

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from confluent_kafka.admin import AdminClient
from sqlalchemy import create_engine, make_url, text

from runtime.kafka_admin import ensure_topics
from schemas.topics import TopicNames

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def short_id() -> str:
    """Unique enough for topic, group and database names of one run."""
    return uuid.uuid4().hex[:10]


def _script(*args: str) -> str:
    proc = subprocess.run(["bash", *args], capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def kafka_bootstrap(explicit: str | None) -> str:
    """The given broker, else ``KAFKA_BOOTSTRAP_SERVERS``, else the repo's single node (started if needed)."""
    if explicit or os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return explicit or os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    _script(str(ROOT / "infra/kafka/kafka.sh"), "start")
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def create_topics(bootstrap: str, partitions: int) -> TopicNames:
    """Topics private to one stack, so runs never read each other's events (or cache)."""
    uid = short_id()
    names = TopicNames(**{f: f"bench.{uid}.{f.replace('_', '-')}" for f in TopicNames.model_fields})
    ensure_topics(bootstrap, names, partitions=partitions)
    return names


def delete_topics(bootstrap: str, names: TopicNames) -> None:
    """Best effort: a long-lived local broker should not fill up with benchmark topics."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(list(names.model_dump().values()), operation_timeout=30).values():
        try:
            future.result(30)
        except Exception as exc:  # cleanup is best effort; a leftover topic is harmless
            print(f"bench: could not delete a topic: {exc}", file=sys.stderr)


def fresh_database(kind: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database migrated to head; returns its URL and the function that drops it."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        drop: Callable[[], None] = _nothing  # the file goes away with the workdir
    else:
        server = os.environ.get("TEST_DATABASE_URL")
        if not server:
            _script(str(ROOT / "infra/mariadb.sh"), "ensure")
            server = _script(str(ROOT / "infra/mariadb.sh"), "test-url").strip()
        name = f"test_bench_{short_id()}"
        engine = create_engine(server)
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        url = make_url(server).set(database=name).render_as_string(False)

        def drop() -> None:
            with engine.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            engine.dispose()

    subprocess.run([sys.executable, "-m", "sink.migrate", "upgrade", "--url", url], check=True,
                   capture_output=True, cwd=workdir)
    return url, drop


def _nothing() -> None:
    return None


def ensure_wrk() -> str:
    """Path of ``wrk``; installed from Debian when missing (we run as root here)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is missing; install it with: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True, env=env)
    return shutil.which("wrk") or "wrk"


def py_spy() -> str:
    """Path of ``py-spy`` in this venv (the ``bench`` extra that ``make bench`` installs)."""
    return str(VENV_BIN / "py-spy")
