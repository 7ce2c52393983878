"""Runs the real services as subprocesses, the way `make run` does, for end-to-end tests."""

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

from schemas.topics import TopicNames


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """Handles on a running stack: where to send HTTP and how to add workers."""

    base_url: str
    env: dict[str, str]
    log_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, module: str, **extra_env: str) -> subprocess.Popen[bytes]:
        with (self.log_dir / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", module],
                env={**self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs[name] = proc
        return proc

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def assert_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            tails = {n: (self.log_dir / f"{n}.log").read_text(errors="replace")[-3000:] for n in dead}
            raise AssertionError(f"services died: {dead}\n{tails}")

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                data: bytes | None = None) -> tuple[int, Any]:
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def wait_job(self, job_id: str, timeout: float = 90.0) -> dict[str, Any]:
        """Poll until the job reaches a final status; fail with the logs otherwise."""
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            self.assert_alive()
            status, job = self.request("GET", f"/api/v1/jobs/{job_id}?size=500")
            if status == 200 and job["job_status"] in {"COMPLETED", "PARTIALLY_COMPLETED", "FAILED"}:
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} not finished in {timeout}s: {job}")


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    """A form upload as browsers and curl send it (urllib has no encoder of its own)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def stack_env(kafka: str, db_url: str, storage: Path, topics: TopicNames, group: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOPICS__", "ZIP_LIMITS__"))}
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=kafka,
        DATABASE_URL=db_url,
        NFS_SHARE_ROOT_PATH=str(storage),
        LOG_LEVEL="INFO",
        TOPICS__JOBS=topics.jobs,
        TOPICS__TASKS=topics.tasks,
        TOPICS__PROGRESS=topics.progress,
        TOPICS__LINT_RESULTS=topics.lint_results,
        TOPICS__DEAD_LETTER=topics.dead_letter,
        TOPIC_PARTITIONS="4",
        CONSUMER_GROUP_ID=group,
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def running_stack(env: dict[str, str], log_dir: Path, processors: int = 1) -> Iterator[Stack]:
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", env=env, log_dir=log_dir)
    try:
        stack.start("ingest", "ingest", PORT=str(port))
        stack.start("sink", "sink", CONSUMER_GROUP_ID=env["CONSUMER_GROUP_ID"] + "-sink")
        for i in range(processors):
            stack.start(f"processors-{i}", "processors", CONSUMER_GROUP_ID=env["CONSUMER_GROUP_ID"] + "-proc",
                        LINT_WORKERS="1" if processors > 1 else "2")
        _wait_ready(stack)
        yield stack
    finally:
        stack.stop_all()


def _wait_ready(stack: Stack, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.assert_alive()
        try:
            status, _ = stack.request("GET", "/health/ready")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("ingest never became ready")
