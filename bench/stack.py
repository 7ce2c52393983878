"""A private stack for one measurement: the harness's services on this run's own topics and database.

Private topics mean no run reads another's events or result cache; a fresh
database means the job tables hold only this measurement's rows.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from harness import resources, servers
from harness.http import multipart
from harness.settings import StackSettings
from harness.stack import Stack
from harness.stack import running as harness_running


@dataclass(frozen=True)
class StackSpec:
    """What to run: one env overlay per processor worker; no processors and sink when ``pipeline`` is off."""

    kafka: str
    db_kind: str
    workdir: Path
    partitions: int = 8
    processors: tuple[dict[str, str], ...] = ({},)
    pipeline: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)


@contextmanager
def running(spec: StackSpec) -> Iterator[Stack]:
    """Topics, a fresh database (MariaDB, or SQLite in the work folder) and the services; removed on exit."""
    spec.workdir.mkdir(parents=True, exist_ok=True)
    server = None if spec.db_kind == "sqlite" else servers.mysql_server_url()
    topics_cm = resources.temporary_topics(spec.kafka, "bench", strict=False, partitions=spec.partitions)
    database_cm = resources.migrated_database(server, spec.workdir / "bench.db", prefix="test_bench")
    with topics_cm as topics, database_cm as db_url:
        settings = StackSettings(
            spec.kafka, db_url, spec.workdir, storage=spec.workdir / "storage", topics=topics,
            group=f"bench-{resources.short_id()}", partitions=spec.partitions, port=resources.free_port(),
            processors=spec.processors, pipeline=spec.pipeline, env=spec.extra_env,
        )
        with harness_running(settings) as stack:
            yield stack


def submit_sql(stack: Stack, sql: str, dialect: str = "ansi", headers: dict[str, str] | None = None) -> str:
    """POST one SQL text as JSON (``headers``: a tenant's key); returns the job id of the 202."""
    body = {"sql_content": sql, "file_name": "one.sql", "dialect": dialect}
    return _accepted(*stack.request("POST", "/api/v1/jobs", body, headers=headers))


def submit_zip(
    stack: Stack, payload: bytes, dialect: str = "ansi", headers: dict[str, str] | None = None
) -> str:
    """Upload a ZIP as multipart form data, as the ``sqllint`` client does."""
    data, content_type = multipart({"dialect": dialect}, "corpus.zip", payload, "application/zip")
    sent = {**(headers or {}), "Content-Type": content_type}
    return _accepted(*stack.request("POST", "/api/v1/jobs", data=data, headers=sent))


def _accepted(status: int, body: object) -> str:
    if status != 202 or not isinstance(body, dict):
        raise RuntimeError(f"submission refused: {status} {body}")
    return str(body["job_id"])
