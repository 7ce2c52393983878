"""Settings every service shares, read once from the environment at start.

Each service subclasses :class:`ServiceSettings`; the names and defaults are
the ones operators already know (``DATABASE_URL``, ``NFS_SHARE_ROOT_PATH``,
``CONSUL_HOST``, ``CONSUL_PORT``, ``LOG_LEVEL``, ``LOG_FILE``), plus
``KAFKA_BOOTSTRAP_SERVERS`` and the topic names.
"""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.topics import TopicNames


class ServiceSettings(BaseSettings):
    """Frozen, typed, and strict: a typo in a settings key fails at start."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_nested_delimiter="__")

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", description="Kafka brokers, comma-separated.")
    database_url: str = Field("sqlite:///var/sqllint.db", description="SQLAlchemy URL of the job database.")
    nfs_share_root_path: Path = Field(Path("var/storage"), description="Shared storage root for uploads.")
    consul_host: str = Field("", description="Consul agent host; empty disables registration.")
    consul_port: int = Field(8500, description="Consul agent HTTP port.")
    log_level: str = Field("INFO", description="Python logging level name.")
    log_file: Path | None = Field(None, description="Also log to this file when set.")
    topics: TopicNames = Field(default_factory=TopicNames, description="TOPICS__JOBS, TOPICS__TASKS, ...")
    topic_partitions: int = Field(8, ge=1, description="Partitions of the tasks topic when created.")
    topic_replication_factor: int = Field(1, ge=1, description="Replication factor when topics are created.")
    topic_min_insync_replicas: int = Field(1, ge=1, description="min.insync.replicas of created topics.")
