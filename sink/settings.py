"""Settings of the sink worker, read once from the environment at start."""

from pathlib import Path

from pydantic import Field

from runtime.settings import ServiceSettings


class SinkSettings(ServiceSettings):
    """Batching knobs trade DB round trips against end-to-end latency."""

    consumer_group_id: str = Field(
        "sqllint-sink", min_length=1, description="Kafka consumer group (Faust app id) of the sink workers."
    )
    batch_size: int = Field(500, ge=1, description="Most events written in one DB transaction.")
    batch_window_seconds: float = Field(
        0.05,
        gt=0,
        description="Flush period of a batch that is not full; the last hop of every job's latency.",
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, description="Faust web/metrics port; 0 disables the web server."
    )
    db_retry_max_seconds: float = Field(
        30.0, gt=0, description="Ceiling of the backoff between attempts while the database is unavailable."
    )
    faust_datadir: Path = Field(
        Path("var/faust"), description="Faust's data directory; each app id gets a folder in it."
    )
