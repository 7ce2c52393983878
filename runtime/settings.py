"""Settings every service shares, read once from the environment at start.

The names operators already know stay unprefixed and shared (``DATABASE_URL``,
``KAFKA_BOOTSTRAP_SERVERS``, ``NFS_SHARE_ROOT_PATH``, ``CONSUL_HOST``,
``CONSUL_PORT``, ``LOG_LEVEL``, ``LOG_FILE``, ``LOG_FORMAT``, ``TOPICS__*``, ``TOPIC_*``); a
service's own settings carry its prefix (``INGEST_``, ``PROCESSORS_``,
``SINK_``), so one environment can configure the whole stack without a
launcher patching a name per service. A prefixed name that no setting knows
stops the service (:mod:`runtime.settings_sources` says why and how).
"""

import sys
from pathlib import Path
from typing import Any, ClassVar, Literal, Self, TypeVar

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from runtime.settings_sources import LegacyNamesSource, SettingsError, check_environment
from runtime.tenant_limits import TenantLimitTable
from schemas.topics import TopicNames

S = TypeVar("S", bound="ServiceSettings")
# The storage root's folders the services write themselves: never a tenant's import area.
RESERVED_DIRS = frozenset({"jobs", "incoming", ".", ".."})


def _shared(name: str) -> AliasChoices:
    """A shared setting's one environment name (and its field name, for keyword construction)."""
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Frozen, typed, and strict: a typo in a settings key fails at start."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        env_nested_delimiter="__",
        validate_by_name=True,
        validate_by_alias=True,
    )
    # The service's name in messages; subclasses set it with their ``env_prefix``.
    service_name: ClassVar[str] = "service"

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka brokers, comma-separated.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", validation_alias=_shared("KAFKA_SECURITY_PROTOCOL"),
        description="How every Kafka client connects: SASL_SSL in production (docs/security.md).",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "SCRAM-SHA-512", validation_alias=_shared("KAFKA_SASL_MECHANISM"),
        description="SASL mechanism when the protocol is SASL_*.",
    )
    kafka_sasl_username: str = Field(
        "", validation_alias=_shared("KAFKA_SASL_USERNAME"),
        description="The service's Kafka principal (User:<name> in the ACLs).",
        json_schema_extra={"per_pod": True},  # one per service: the Deployment's env, not config/*.env
    )
    kafka_sasl_password: str = Field(
        "", validation_alias=_shared("KAFKA_SASL_PASSWORD"),
        description="The principal's SASL password.",
        json_schema_extra={"secret": True},  # a broker credential: a Secret, never config/*.env
    )
    kafka_ssl_ca_location: Path | None = Field(
        None, validation_alias=_shared("KAFKA_SSL_CA_LOCATION"),
        description="PEM file of the CA that signed the brokers' certificates; unset: the system's.",
    )
    kafka_ssl_certificate_location: Path | None = Field(
        None, validation_alias=_shared("KAFKA_SSL_CERTIFICATE_LOCATION"),
        description="The client's PEM certificate, for brokers that require mutual TLS.",
    )
    kafka_ssl_key_location: Path | None = Field(
        None, validation_alias=_shared("KAFKA_SSL_KEY_LOCATION"),
        description="The client's PEM private key (unencrypted), with the certificate.",
    )
    database_url: str = Field(
        "sqlite:///var/sqllint.db", validation_alias=_shared("DATABASE_URL"),
        description="SQLAlchemy URL of the job database.",
        json_schema_extra={"secret": True},  # holds the password: a Secret, never config/*.env
    )
    nfs_share_root_path: Path = Field(
        Path("var/storage"), validation_alias=_shared("NFS_SHARE_ROOT_PATH"),
        description="Shared storage root for uploads.",
    )
    imports_dir: str = Field(
        "imports", pattern=r"^[A-Za-z0-9._-]+$", validation_alias=_shared("IMPORTS_DIR"),
        description="Folder under the storage root with one folder per tenant: a job's zip_file_path is "
        "confined to <root>/<IMPORTS_DIR>/<tenant>/ by the ingest, and again by the processors.",
    )
    consul_host: str = Field(
        "", validation_alias=_shared("CONSUL_HOST"),
        description="Consul agent host; empty disables registration.",
    )
    consul_port: int = Field(
        8500, validation_alias=_shared("CONSUL_PORT"), description="Consul agent HTTP port."
    )
    log_level: str = Field(
        "INFO", validation_alias=_shared("LOG_LEVEL"), description="Python logging level name."
    )
    log_file: Path | None = Field(
        None, validation_alias=_shared("LOG_FILE"), description="Also log to this file when set."
    )
    log_file_max_bytes: int = Field(
        10 * 1024 * 1024, ge=0, validation_alias=_shared("LOG_FILE_MAX_BYTES"),
        description="Rotate LOG_FILE at this size; 0 never rotates.",
    )
    log_file_backups: int = Field(
        5, ge=0, validation_alias=_shared("LOG_FILE_BACKUPS"),
        description="Rotated LOG_FILE copies kept.",
    )
    log_format: Literal["auto", "console", "json"] = Field(
        "auto", validation_alias=_shared("LOG_FORMAT"),
        description="auto: console when stderr is a terminal, else JSON lines.",
    )
    webhook_signing_key: str = Field(
        "", validation_alias=_shared("WEBHOOK_SIGNING_KEY"),
        description="Key every callback's signing secret is derived from (docs/webhooks.md); "
        "empty: callback_url is refused (400 WEBHOOKS_DISABLED).",
        json_schema_extra={"secret": True},  # signs every callback: a Secret, never config/*.env
    )
    topics: TopicNames = Field(
        default_factory=TopicNames, validation_alias=_shared("TOPICS"),
        description="TOPICS__JOBS, TOPICS__TASKS, ...",
    )
    topic_partitions: int = Field(
        8, ge=1, validation_alias=_shared("TOPIC_PARTITIONS"),
        description="Partitions of the tasks topic when created.",
    )
    topic_replication_factor: int = Field(
        1, ge=1, validation_alias=_shared("TOPIC_REPLICATION_FACTOR"),
        description="Replication factor when topics are created.",
    )
    topic_min_insync_replicas: int = Field(
        1, ge=1, validation_alias=_shared("TOPIC_MIN_INSYNC_REPLICAS"),
        description="min.insync.replicas of created topics.",
    )
    topic_cache_retention_days: float = Field(
        30.0, gt=0, validation_alias=_shared("TOPIC_CACHE_RETENTION_DAYS"),
        description="retention.ms of the lint-cache topic (compact,delete): a result not seen again "
        "for this long is dropped.",
    )
    tenant_limits: TenantLimitTable = Field(
        default_factory=TenantLimitTable, validation_alias=_shared("TENANT_LIMITS"),
        description="TENANT_LIMITS__DEFAULT__*, TENANT_LIMITS__TENANTS (JSON): what each tenant may use "
        "(docs/security.md).",
    )

    @field_validator("imports_dir")
    @classmethod
    def _not_the_services_own_area(cls, name: str) -> str:
        """The import area must not be the service's own folders, or a tenant could name their files."""
        if name in RESERVED_DIRS:
            raise ValueError(f"must not be one of {sorted(RESERVED_DIRS)}: the service's own folders")
        return name

    @model_validator(mode="after")
    def _sasl_needs_a_user(self) -> Self:
        """A SASL protocol without credentials would fail at the first connection, not at start."""
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError("a SASL_* protocol needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        return self

    @classmethod
    def own_fields(cls) -> tuple[str, ...]:
        """The settings this service adds to the shared ones: the ones its prefix names."""
        return tuple(name for name in cls.model_fields if name not in ServiceSettings.model_fields)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Check the environment first, then read it; old unprefixed names come last."""
        check_environment(cls)
        prefix = str(cls.model_config.get("env_prefix", ""))
        legacy = LegacyNamesSource(settings_cls, cls.own_fields(), prefix)
        return init_settings, env_settings, legacy, dotenv_settings, file_secret_settings


class WorkerSettings(ServiceSettings):
    """What the two Faust services (processors and sink) share beyond the common names."""

    consumer_group_id: str = Field(min_length=1, description="Kafka consumer group (Faust app id).")
    metrics_port: int = Field(
        0, ge=0, le=65535, description="Port of the worker's HTTP server (metrics); 0 disables it."
    )
    faust_datadir: Path = Field(
        Path("var/faust"), description="Faust's data directory; each app id gets a folder in it."
    )
    heartbeat_interval_s: float = Field(
        2.0, gt=0, le=60, description="Seconds between the worker's heartbeats on the workers topic."
    )
    group_instance_id: str = Field(
        "", max_length=200, pattern=r"^[A-Za-z0-9._-]*$",
        description="Static membership of the consumer group (Kafka's group.instance.id): a worker started "
        "again with the same id takes its partitions back at once, not after the session timeout. One per "
        "worker slot, never shared by two live workers (make run: processors-0, sink-0; Kubernetes: the "
        "pod's name); empty: dynamic membership.",
        json_schema_extra={"per_pod": True},  # unique per worker: the pod's env, never config/*.env
    )


def load_settings(cls: type[S]) -> S:
    """The service's settings from the environment, or exit 2 with a message naming the problem.

    Called once by each service's ``main()``: a misspelt or invalid name stops
    the service at start instead of being ignored until it matters.
    """
    try:
        return cls()
    except (SettingsError, ValidationError) as exc:
        print(f"{cls.service_name}: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def setting_names(cls: type[ServiceSettings]) -> dict[str, Any]:
    """Environment name → field, for docs and checks: shared names bare, own names prefixed."""
    prefix = str(cls.model_config.get("env_prefix", "")).upper()
    own = set(cls.own_fields())
    return {
        (prefix + name.upper() if name in own else name.upper()): field
        for name, field in cls.model_fields.items()
    }
