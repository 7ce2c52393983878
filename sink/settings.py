"""Settings of the sink worker, read once from the environment at start."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from runtime.settings import WorkerSettings


class SinkSettings(WorkerSettings):
    """Batching knobs trade DB round trips against end-to-end latency (``SINK_*``)."""

    model_config = SettingsConfigDict(env_prefix="SINK_")
    service_name: ClassVar[str] = "sink"

    consumer_group_id: str = Field(
        "sqllint-sink", min_length=1, description="Kafka consumer group (Faust app id) of the sink workers."
    )
    batch_size: int = Field(500, ge=1, description="Most events written in one DB transaction.")
    batch_window_seconds: float = Field(
        0.0,
        ge=0,
        description="How long a batch that is not full may wait from its first event for more, trading "
        "latency for fewer transactions; 0 writes as soon as the stream has nothing more ready (events "
        "arriving during a write make the next batch, so batches still grow under load).",
    )
    batch_linger_seconds: float = Field(
        0.02,
        ge=0,
        description="While the sink is busy (a batch's first event came this soon after the previous "
        "write began), how long the batch gathers more: fewer, larger transactions under load, while a "
        "lone job's events, after a quiet moment, are still written at once; 0 turns it off.",
    )
    db_retry_max_seconds: float = Field(
        30.0, gt=0, description="Ceiling of the backoff between attempts while the database is unavailable."
    )
    callback_allow_private: bool = Field(
        False,
        description="Deliver callbacks to private, loopback and link-local addresses too (tests, "
        "private networks); the ingest's INGEST_CALLBACK_ALLOW_PRIVATE should say the same.",
    )
    webhook_retry_max_s: float = Field(
        3600.0, gt=0, description="How long after its job ended a callback is still retried; then FAILED."
    )
    webhook_timeout_s: float = Field(
        10.0, gt=0, description="Timeout of one callback request, connect to body."
    )
    webhook_backoff_first_s: float = Field(
        2.0, gt=0, description="Delay before a callback's first retry; it doubles, with jitter, each time."
    )
    webhook_backoff_max_s: float = Field(
        300.0, gt=0, description="Ceiling of the delay between two attempts."
    )
    webhook_poll_s: float = Field(
        1.0,
        gt=0,
        description="How often the delivery loop looks for callbacks due (the latency of a callback).",
    )
    retention_days: float = Field(
        30.0,
        gt=0,
        description="Days after a job finished before its rows (job, tasks, callback, fixes) are purged; "
        "idempotency keys older than this are purged too.",
    )
    retention_sweep_s: float = Field(
        3600.0, gt=0, description="Seconds between two retention rounds (row purge and job folder cleanup)."
    )
    retention_batch: int = Field(
        200, ge=1, description="Jobs (or keys, or folders) handled per transaction by a retention round."
    )
