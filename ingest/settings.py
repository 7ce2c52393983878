"""Settings of the ingest service, read once from the environment at start."""

from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from policy.zip_policy import ZipLimits
from runtime.settings import ServiceSettings
from schemas.worker_events import WorkerRole

MIB = 1024 * 1024
# Promised to operators without the service prefix, like the shared names.
UNPREFIXED = frozenset({"operator_token", "auth_required"})
DEFAULT_GROUPS: dict[str, WorkerRole] = {"sqllint-processors": "processors", "sqllint-sink": "sink"}


class IngestSettings(ServiceSettings):
    """HTTP listener, request size limits and Kafka delivery bounds of the ingest (``INGEST_*``)."""

    model_config = SettingsConfigDict(env_prefix="INGEST_")
    service_name: ClassVar[str] = "ingest"

    host: str = Field("127.0.0.1", description="Interface the HTTP server binds.")
    port: int = Field(8080, ge=0, le=65535, description="TCP port the HTTP server binds.")
    client_max_size: int = Field(300 * MIB, ge=1024, description="Largest request body accepted, bytes.")
    inline_max_bytes: int = Field(
        64 * 1024, ge=0, description="Inline SQL above this size goes to storage, referenced by path."
    )
    max_sql_bytes: int = Field(MIB, ge=1, description="Largest single SQL text or .sql upload, bytes.")
    body_read_timeout_s: float = Field(
        300.0, gt=0, description="A submission's body must arrive whole within this (else 408): slow senders."
    )
    zip_limits: ZipLimits = Field(
        default_factory=ZipLimits, description="INGEST_ZIP_LIMITS__*: archive policy."
    )
    kafka_delivery_timeout_ms: int = Field(
        10000, ge=100, description="How long a publish may wait for the broker's acknowledgement."
    )
    public_base_url: str | None = Field(
        None, description="Base of status_url links (e.g. https://lint.example.com); else the request's."
    )
    retry_after_s: int = Field(5, ge=1, description="Retry-After seconds sent with a 503.")
    idempotency_key_ttl_hours: float = Field(
        24.0, gt=0, description="Hours an Idempotency-Key is remembered; then it may name a new request."
    )
    ready_timeout_s: float = Field(2.0, gt=0, description="Per-check timeout of /health/ready.")
    accepted_cache_size: int = Field(
        10000, ge=1, description="Recently accepted jobs remembered in memory for GET before 404."
    )
    consumer_groups: dict[str, WorkerRole] = Field(
        default_factory=lambda: dict(DEFAULT_GROUPS),
        description="Groups whose members are workers, with their role (JSON); heartbeats add theirs.",
    )
    operator_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("OPERATOR_TOKEN", "operator_token"),
        description="OPERATOR_TOKEN: a bearer token that acts as the default tenant's operator (monitoring "
        "and worker control), beside operator and admin API keys; unset: only keys.",
        json_schema_extra={"secret": True},
    )
    auth_required: bool = Field(
        True,
        validation_alias=AliasChoices("AUTH_REQUIRED", "auth_required"),
        description="AUTH_REQUIRED: every API call needs an API key (Authorization: Bearer); false: a "
        "caller without one acts as the default tenant's submitter (make run; docs/security.md).",
    )
    auth_cache_s: float = Field(
        5.0, ge=0, description="Seconds a checked API key is trusted without the database: a revoked "
        "key stops working within this.",
    )
    incoming_max_age_s: float = Field(
        3600.0, gt=0, description="A staged upload in incoming/ older than this (a crashed request's "
        "leftover) is deleted by the ingest's sweep.",
    )
    cors_allowed_origins: tuple[str, ...] = Field(
        (), description="Origins a browser may call the API from (JSON list); none: no CORS headers."
    )
    worker_stale_after_s: float = Field(
        10.0, gt=0, description="A worker whose newest heartbeat is older than this is gone."
    )
    monitoring_timeout_s: float = Field(5.0, gt=0, description="Bound of each Kafka admin call.")
    lag_sample_interval_s: float = Field(5.0, gt=0, description="Seconds between samples of the total lag.")
    lag_window_s: float = Field(
        60.0, gt=0, description="Lag that rose across this whole window (and above lag_floor) is unhealthy."
    )
    lag_floor: int = Field(100, ge=0, description="Total lag below which a rising lag is not unhealthy.")
    events_ping_s: float = Field(15.0, gt=0, description="Seconds between ': ping' comments of a stream.")
    events_queue_size: int = Field(
        1000, ge=1, description="Live events buffered per stream client; one this far behind is dropped."
    )
    events_refresh_s: float = Field(
        1.0, gt=0, description="How often a stream waiting on the sink (a file's place, final status) looks."
    )
    events_reconcile_s: float = Field(
        10.0, gt=0, description="A stream with no live event for this long re-reads its job (a safety net)."
    )
    callback_allow_private: bool = Field(
        False,
        description="Accept a callback_url whose host is private, loopback or link-local (tests, private "
        "networks); SINK_CALLBACK_ALLOW_PRIVATE should say the same.",
    )
    callback_resolve_timeout_s: float = Field(
        5.0, gt=0, description="Bound of resolving a callback_url's host at submission."
    )

    @classmethod
    def own_fields(cls) -> tuple[str, ...]:
        """The prefixed settings: OPERATOR_TOKEN is read bare, never as INGEST_ or a legacy name."""
        return tuple(name for name in super().own_fields() if name not in UNPREFIXED)
