"""What a stack runs with, as one frozen value, and the environment it becomes.

Every service reads its settings from the environment only, so the harness
passes them there, explicitly: the shared names bare (``KAFKA_BOOTSTRAP_SERVERS``,
``DATABASE_URL``, ``TOPICS__*`` ...), each service's own under its prefix
(``INGEST_PORT``, ``PROCESSORS_CONSUMER_GROUP_ID``, ``SINK_CONSUMER_GROUP_ID``).
One environment therefore serves the three services; a per-process overlay is
left only for what differs between workers of one service (their lint pool).
Anything left unset keeps the service's default, relative to ``workdir``.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.settings import IngestSettings
from schemas.topics import TopicNames

# Inherited names a private stack never takes from the caller's shell: its topics are its own, and
# archive limits must be the documented defaults unless the run sets them.
_NOT_INHERITED = ("TOPICS__", "ZIP_LIMITS__")
# Read by ``make run`` for its readiness check only: under the ingest's prefix, the ingest would
# refuse it as an unknown setting.
_HARNESS_ONLY = "INGEST_URL"


def lint_layout(workers: int) -> tuple[dict[str, str], ...]:
    """``workers`` processor workers sharing two cores: one gets two lint processes, more get one each."""
    lint = "1" if workers > 1 else "2"
    return tuple({"PROCESSORS_LINT_WORKERS": lint} for _ in range(workers))


@dataclass(frozen=True)
class StackSettings:
    """A stack: where Kafka and the database are, what is private to it, which services run.

    ``group`` names the consumer groups ``<group>-proc`` and ``<group>-sink``;
    ``processors`` holds one environment overlay per processor worker;
    ``pipeline=False`` runs the ingest alone; ``env`` is applied last, to every
    service. ``echo`` copies each line to the console as ``[name] line``.
    """

    kafka: str
    database_url: str
    workdir: Path
    log_dir: Path | None = None
    storage: Path | None = None
    topics: TopicNames | None = None
    group: str | None = None
    partitions: int | None = None
    port: int | None = None
    processors: tuple[Mapping[str, str], ...] = ({},)
    pipeline: bool = True
    env: Mapping[str, str] = field(default_factory=dict)
    private: bool = True
    echo: bool = False

    @property
    def logs(self) -> Path:
        """Where ``<service>.log`` files go."""
        return self.log_dir or self.workdir / "logs"

    @property
    def processors_group(self) -> str | None:
        """The processors' consumer group, when this stack names its own."""
        return f"{self.group}-proc" if self.group else None

    @property
    def sink_group(self) -> str | None:
        """The sink's consumer group, when this stack names its own."""
        return f"{self.group}-sink" if self.group else None


_UNLIMITED = {
    "REQUESTS_PER_SECOND": "1000000", "BURST": "1000000", "MAX_ACTIVE_JOBS": "1000000",
    "MAX_BYTES_PER_DAY": str(2**62),
}


def environment(settings: StackSettings, inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every service of the stack starts with (before its own overlay)."""
    source = os.environ if inherited is None else inherited
    env = {k: v for k, v in source.items()
           if k != _HARNESS_ONLY and not (settings.private and any(part in k for part in _NOT_INHERITED))}
    env.update(KAFKA_BOOTSTRAP_SERVERS=settings.kafka, DATABASE_URL=settings.database_url,
               PYTHONUNBUFFERED="1")
    # A stack on this machine is for development and tests, whose callers have no key: authentication
    # is off unless the caller's environment or ``env`` turns it on (the ingest warns loudly at start).
    env.setdefault("AUTH_REQUIRED", "false")
    # Benchmarks and fault scenarios send everything as one tenant, far above a team's share: the
    # limits are lifted unless the caller sets them (tests of the limits build their own apps).
    for name, value in _UNLIMITED.items():
        env.setdefault(f"TENANT_LIMITS__DEFAULT__{name}", value)
    if settings.private:
        env["LOG_LEVEL"] = "INFO"
    if settings.storage is not None:
        env["NFS_SHARE_ROOT_PATH"] = str(settings.storage)
    if settings.topics is not None:
        env.update({f"TOPICS__{key.upper()}": name for key, name in settings.topics.model_dump().items()})
    if settings.partitions is not None:
        env["TOPIC_PARTITIONS"] = str(settings.partitions)
    if settings.port is not None:
        env["INGEST_PORT"] = str(settings.port)
    if settings.group:
        env["PROCESSORS_CONSUMER_GROUP_ID"] = f"{settings.group}-proc"
        env["SINK_CONSUMER_GROUP_ID"] = f"{settings.group}-sink"
    env.update(settings.env)
    return env


def ingest_url(env: Mapping[str, str]) -> str:
    """Where the ingest started with this environment answers: its host and port, or their defaults."""
    fields = IngestSettings.model_fields
    host = env.get("INGEST_HOST") or str(fields["host"].default)
    if host in {"0.0.0.0", "::", ""}:  # bound to every interface: reachable on loopback
        host = "127.0.0.1"
    return f"http://{host}:{env.get('INGEST_PORT') or fields['port'].default}"
