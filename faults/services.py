"""The stack every scenario runs: the harness's services, on the cluster, with fault-friendly settings.

Each service runs in its own process group (see :mod:`harness.process`), so
``kill -9`` and ``SIGSTOP`` reach a Faust worker and its lint children the way
a container kill or a frozen VM would. Topics are replicated three times with
``min.insync.replicas`` 2, so one broker may die without losing a write.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import resources
from harness.settings import StackSettings, environment, lint_layout
from harness.stack import Stack, running
from processors.settings import ProcessorSettings
from schemas.topics import TopicNames

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
class FaultRun:
    """A running stack and where everything it uses lives."""

    bootstrap: str
    db_url: str
    storage: Path
    topics: TopicNames
    group: str
    stack: Stack
    guarantee: str

    @property
    def sink_group(self) -> str:
        """The sink's consumer group."""
        return f"{self.group}-sink"

    @property
    def processors_group(self) -> str:
        """The processor workers' consumer group."""
        return f"{self.group}-proc"


@contextmanager
def fault_stack(
    bootstrap: str, db_url: str, workdir: Path, processors: int = 1, **extra_env: str
) -> Iterator[FaultRun]:
    """Ingest, sink and ``processors`` processor workers on the cluster; all stopped after."""
    storage = workdir / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    group = f"faults-{resources.short_id()}"
    with resources.temporary_topics(bootstrap, "faults", replication_factor=3, min_insync_replicas=2,
                                    timeout=60) as topics:
        settings = StackSettings(
            bootstrap, db_url, workdir, storage=storage, topics=topics, group=group, partitions=4,
            port=resources.free_port(), processors=lint_layout(processors), env={**FAULT_ENV, **extra_env},
        )
        guarantee = processing_guarantee(environment(settings))
        with running(settings) as stack:
            yield FaultRun(bootstrap, db_url, storage, topics, group, stack, guarantee)


def processing_guarantee(env: Mapping[str, str]) -> str:
    """The guarantee the stack's processors run with: ``PROCESSORS_PROCESSING_GUARANTEE``, else their default.

    Set it in the shell that runs the scenarios; the stack inherits it. Processors that
    declare no such setting deliver at least once.
    """
    named = env.get("PROCESSORS_PROCESSING_GUARANTEE")
    if named:
        return named
    declared = ProcessorSettings.model_fields.get("processing_guarantee")
    return str(declared.default) if declared is not None else "at_least_once"
