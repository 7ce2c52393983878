"""A private stack for one measurement: topics, database and the services as subprocesses.

Like ``make run`` / ``tests/e2e/stack.py``: each service is ``python -m <pkg>``
configured only through its environment, with logs in the run's work folder.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient

from bench import infra
from schemas.topics import TopicNames


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


@dataclass
class Stack:
    """Handles on a running stack."""

    base_url: str
    db_url: str
    topics: TopicNames
    group: str
    log_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def pids(self) -> dict[str, int]:
        """Service name -> process id (for sampling and profiling)."""
        return {name: proc.pid for name, proc in self.procs.items()}

    def check_alive(self) -> None:
        """Fail with the log tails when a service died, instead of waiting for a job forever."""
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            tails = {n: (self.log_dir / f"{n}.log").read_text(errors="replace")[-2000:] for n in dead}
            raise RuntimeError(f"services died: {dead}\n{tails}")

    def request(self, method: str, path: str, data: bytes | None = None,
                content_type: str = "application/json") -> tuple[int, Any]:
        """Status and decoded JSON body; HTTP errors are answers, not exceptions."""
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def submit_sql(self, sql: str, dialect: str = "ansi") -> str:
        """POST one SQL text as JSON; returns the job id of the 202."""
        body = json.dumps({"sql_content": sql, "file_name": "one.sql", "dialect": dialect}).encode()
        return self._accepted(*self.request("POST", "/api/v1/jobs", body))

    def submit_zip(self, payload: bytes, dialect: str = "ansi") -> str:
        """Upload a ZIP as multipart form data, as the ``sqllint`` client does."""
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="dialect"\r\n\r\n{dialect}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="corpus.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode() + payload + f"\r\n--{boundary}--\r\n".encode()
        return self._accepted(*self.request("POST", "/api/v1/jobs", body,
                                            f"multipart/form-data; boundary={boundary}"))

    @staticmethod
    def _accepted(status: int, body: Any) -> str:
        if status != 202:
            raise RuntimeError(f"submission refused: {status} {body}")
        return str(body["job_id"])


def free_port() -> int:
    """A port nobody listens on right now, for the ingest."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(spec: StackSpec, db_url: str, topics: TopicNames, group: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOPICS__", "ZIP_LIMITS__"))}
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=spec.kafka, DATABASE_URL=db_url, LOG_LEVEL="INFO",
        NFS_SHARE_ROOT_PATH=str(spec.workdir / "storage"), TOPIC_PARTITIONS=str(spec.partitions),
        CONSUMER_GROUP_ID=group, PYTHONUNBUFFERED="1",
        **{f"TOPICS__{k.upper()}": v for k, v in topics.model_dump().items()},
    )
    env.update(spec.extra_env)
    return env


def _start(stack: Stack, env: dict[str, str], name: str, module: str, cwd: Path,
           **extra: str) -> None:
    with (stack.log_dir / f"{name}.log").open("ab") as log:
        stack.procs[name] = subprocess.Popen([sys.executable, "-m", module], env={**env, **extra},
                                             stdout=log, stderr=subprocess.STDOUT, cwd=cwd)


def stop(stack: Stack) -> None:
    """SIGTERM every service (graceful Faust shutdown), SIGKILL after 30 s."""
    for proc in stack.procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in stack.procs.values():
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def running(spec: StackSpec) -> Iterator[Stack]:
    """Topics, a fresh database and the services; all removed again on exit."""
    spec.workdir.mkdir(parents=True, exist_ok=True)
    (spec.workdir / "logs").mkdir(exist_ok=True)
    topics = infra.create_topics(spec.kafka, spec.partitions)
    db_url, drop = infra.fresh_database(spec.db_kind, spec.workdir)
    group = f"bench-{infra.short_id()}"
    port = free_port()
    stack = Stack(f"http://127.0.0.1:{port}", db_url, topics, group, spec.workdir / "logs")
    env = _env(spec, db_url, topics, group)
    try:
        _start(stack, env, "ingest", "ingest", spec.workdir, PORT=str(port))
        if spec.pipeline:
            _start(stack, env, "sink", "sink", spec.workdir, CONSUMER_GROUP_ID=f"{group}-sink",
                   FAUST_DATADIR=str(spec.workdir / "faust"))
            for i, extra in enumerate(spec.processors):
                _start(stack, env, f"processors-{i}", "processors", spec.workdir,
                       CONSUMER_GROUP_ID=f"{group}-proc", **extra)
        _wait_http(stack)
        if spec.pipeline:
            _wait_group(stack, spec.kafka, f"{group}-proc", topics.tasks, len(spec.processors))
        yield stack
    finally:
        stop(stack)
        drop()
        infra.delete_topics(spec.kafka, topics)


def _wait_http(stack: Stack, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            if stack.request("GET", "/health/ready")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("ingest never became ready")


def _wait_group(stack: Stack, bootstrap: str, group: str, topic: str, members: int,
                timeout: float = 120.0) -> None:
    """Block until ``members`` processor workers each hold partitions of the tasks topic."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            desc = admin.describe_consumer_groups([group])[group].result(timeout=10)
            held = [[tp for tp in m.assignment.topic_partitions if tp.topic == topic] for m in desc.members]
            if len(held) == members and all(held):
                return
        except Exception:  # the group does not exist until the first member joins
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{members} processor workers never shared {topic}")
