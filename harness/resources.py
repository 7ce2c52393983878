"""What one run owns alone: its topics and its database, created fresh and removed after.

Private names keep runs apart on a shared broker and database server: no run
reads another's events, result cache or rows, and a run that dies leaves only
names nobody else uses.
"""

import socket
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient
from sqlalchemy import create_engine, make_url, text

from runtime.kafka_admin import ensure_topics
from schemas.topics import TopicNames
from sink.migrate import upgrade


def short_id() -> str:
    """Ten hex characters: unique enough per run, short enough for topic and database names."""
    return uuid.uuid4().hex[:10]


def free_port() -> int:
    """A port nobody listens on right now (for the ingest, or a private server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_topics(bootstrap: str, prefix: str, uid: str | None = None, **ensure: Any) -> TopicNames:
    """Every topic of the pipeline under ``<prefix>.<uid>.``, created (4 task partitions unless told)."""
    uid = uid or short_id()
    names = TopicNames(**{key: f"{prefix}.{uid}.{key.replace('_', '-')}" for key in TopicNames.model_fields})
    ensure_topics(bootstrap, names, **{"partitions": 4, **ensure})
    return names


def delete_topics(bootstrap: str, names: TopicNames, strict: bool = True) -> None:
    """Remove a run's topics so a long-lived broker does not fill up; ``strict=False`` only warns."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(list(names.model_dump().values()), operation_timeout=30).values():
        try:
            future.result(30)
        except Exception as exc:
            if strict:
                raise
            print(f"harness: could not delete a topic: {exc}", file=sys.stderr)


@contextmanager
def temporary_topics(bootstrap: str, prefix: str, strict: bool = True, **ensure: Any) -> Iterator[TopicNames]:
    """:func:`private_topics` for the length of a ``with`` block."""
    names = private_topics(bootstrap, prefix, **ensure)
    try:
        yield names
    finally:
        delete_topics(bootstrap, names, strict)


def create_database(server_url: str, prefix: str = "test") -> tuple[str, Callable[[], None]]:
    """Create ``<prefix>_<unique>`` on a MySQL server; return its URL and the function that drops it."""
    name = f"{prefix}_{short_id()}"
    engine = create_engine(server_url)
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        engine.dispose()

    return make_url(server_url).set(database=name).render_as_string(False), drop


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file (created by the first connection)."""
    return f"sqlite:///{path}"


@contextmanager
def migrated_database(server_url: str | None, sqlite_path: Path | None = None,
                      prefix: str = "test") -> Iterator[str]:
    """A fresh database at the schema's head: on the MySQL server, else the SQLite file; dropped after."""
    if server_url is None:
        if sqlite_path is None:
            raise ValueError("a MySQL server URL or a SQLite path is needed")
        url, drop = sqlite_url(sqlite_path), _keep  # the file stays in its folder, for a look after
    else:
        url, drop = create_database(server_url, prefix)
    try:
        upgrade(url)
        yield url
    finally:
        drop()


def _keep() -> None:
    return None
