"""The real services as process groups, so a fault hits a worker and its lint pool together.

Built on the end-to-end ``Stack``; each service runs in its own session, so
``kill -9`` and ``SIGSTOP`` reach the Faust worker and its pebble children the
way a container kill or a frozen VM would.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from schemas.topics import TopicNames
from tests import _infra
from tests.e2e.stack import Stack, free_port, stack_env

# Faust reads these from the environment: a dead worker's partitions move after 10 s, not 60.
SESSION_TIMEOUT_S = 10
FAULT_ENV = {
    "TOPIC_REPLICATION_FACTOR": "3",
    "TOPIC_MIN_INSYNC_REPLICAS": "2",
    "BROKER_SESSION_TIMEOUT": str(SESSION_TIMEOUT_S),
    "BROKER_HEARTBEAT_INTERVAL": "1",
    "BROKER_REBALANCE_TIMEOUT": "20",
}


@dataclass
class FaultStack(Stack):
    """A ``Stack`` whose services can be killed, frozen and restarted by name."""

    specs: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    def start(self, name: str, module: str, **extra_env: str) -> subprocess.Popen[bytes]:
        self.specs[name] = (module, extra_env)
        with (self.log_dir / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", module], env={**self.env, **extra_env}, cwd=_infra.ROOT,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.procs[name] = proc
        return proc

    def signal(self, name: str, sig: signal.Signals) -> None:
        """Send ``sig`` to the whole process group of a service."""
        os.killpg(self.procs[name].pid, sig)

    def kill(self, name: str) -> None:
        """Kill -9 the service and its children, and reap it."""
        self.signal(name, signal.SIGKILL)
        self.procs[name].wait(30)

    def restart(self, name: str) -> None:
        """Start a stopped or killed service again, with the same module and settings."""
        module, extra = self.specs[name]
        self.start(name, module, **extra)

    def stop(self, name: str, timeout: float = 30) -> None:
        """Orderly stop (SIGTERM), SIGKILL when it does not finish in time."""
        proc = self.procs[name]
        if proc.poll() is None:
            self.signal(name, signal.SIGCONT)
            self.signal(name, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill(name)
        _reap_group(proc.pid)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)


def _reap_group(pgid: int) -> None:
    """Children left behind by a killed leader (lint processes) go too."""
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass
class FaultRun:
    """A running stack and where everything it uses lives."""

    bootstrap: str
    db_url: str
    storage: Path
    topics: TopicNames
    group: str
    stack: FaultStack

    @property
    def sink_group(self) -> str:
        return f"{self.group}-sink"

    @property
    def processors_group(self) -> str:
        return f"{self.group}-proc"


def make_topics(bootstrap: str) -> TopicNames:
    """Topics private to one run: RF 3, min.insync.replicas 2, 4 task partitions."""
    return _infra.private_topics(bootstrap, "faults", _infra.short_id(), replication_factor=3,
                                 min_insync_replicas=2, timeout=60)


@contextmanager
def fault_stack(
    bootstrap: str, db_url: str, workdir: Path, processors: int = 1, **extra_env: str
) -> Iterator[FaultRun]:
    """Ingest, sink and ``processors`` processor workers on the cluster; all stopped after."""
    topics = make_topics(bootstrap)
    storage, logs = workdir / "storage", workdir / "logs"
    storage.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    group = f"faults-{_infra.short_id()}"
    env = {**stack_env(bootstrap, db_url, storage, topics, group), **FAULT_ENV, **extra_env}
    env.update({f"TOPICS__{key.upper()}": name for key, name in topics.model_dump().items()})
    port = free_port()
    stack = FaultStack(base_url=f"http://127.0.0.1:{port}", env=env, log_dir=logs)
    run = FaultRun(bootstrap, db_url, storage, topics, group, stack)
    try:
        stack.start("ingest", "ingest", PORT=str(port))
        stack.start("sink", "sink", CONSUMER_GROUP_ID=run.sink_group,
                    FAUST_DATADIR=str(workdir / "faust"))
        lint_workers = "1" if processors > 1 else "2"
        for i in range(processors):
            stack.start(f"processors-{i}", "processors", CONSUMER_GROUP_ID=run.processors_group,
                        LINT_WORKERS=lint_workers)
        wait_ready(stack)
        yield run
    finally:
        stack.stop_all()
        _infra.delete_topics(bootstrap, list(topics.model_dump().values()))


def wait_ready(stack: Stack, timeout: float = 90.0) -> None:
    """Until the ingest says ready (Kafka, DB and storage answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.assert_alive()
        try:
            if stack.request("GET", "/health/ready")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("ingest never became ready")
