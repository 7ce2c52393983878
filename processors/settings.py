"""Settings of the processors service (expansion and linting), read once at start."""

import math
import os
from typing import ClassVar, Literal

from mode.utils.queues import FlowControlQueue
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from policy.zip_policy import ZipLimits
from runtime.settings import WorkerSettings

MIB = 1024 * 1024


class ProcessorSettings(WorkerSettings):
    """Pool sizing and per-file limits: the knobs that trade throughput against safety (``PROCESSORS_*``)."""

    model_config = SettingsConfigDict(env_prefix="PROCESSORS_")
    service_name: ClassVar[str] = "processors"

    consumer_group_id: str = Field(
        "sqllint-processors", min_length=1, description="Kafka consumer group (Faust app id)."
    )
    lint_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Lint processes; default: CPU count."
    )
    lint_timeout_seconds: float = Field(60.0, gt=0, description="Per-file lint time; over it: LINT_TIMEOUT.")
    lint_memory_mb: int = Field(
        1536, ge=0, description="Address-space limit of each lint process, MiB; 0 disables it."
    )
    worker_max_tasks: int = Field(
        1000, ge=0, description="Files a lint process handles before it is replaced; 0 means never."
    )
    inline_max_bytes: int = Field(
        64 * 1024, ge=0, description="ZIP members up to this size travel inline in the task event."
    )
    max_file_bytes: int = Field(
        MIB, ge=1, description="Largest single SQL file or text linted; over it: FILE_TOO_LARGE."
    )
    zip_limits: ZipLimits = Field(
        default_factory=ZipLimits, description="PROCESSORS_ZIP_LIMITS__*: archive policy."
    )
    agent_concurrency: int = Field(
        0, ge=0, description="Concurrent lint agent actors per worker; 0 means twice lint_workers."
    )
    cache_enabled: bool = Field(
        True, description="Reuse lint results of identical files (content, options, SQLFluff version)."
    )
    cache_max_entries: int = Field(
        100_000, ge=1, description="Lint-cache entries each worker keeps in memory (LRU)."
    )
    stream_buffer_maxsize: int = Field(
        256, ge=1, description="Events a Faust stream prefetches; bounds memory of inline tasks."
    )
    producer_linger_ms: int = Field(
        5, ge=0, description="Producer batching delay, ms: expansion bursts go out in few requests."
    )
    lint_retries: int = Field(
        3, ge=0, le=10, description="Retries of a file whose lint process crashed (LINT_CRASHED); 0: none."
    )
    lint_retry_backoff_s: float = Field(
        0.5, ge=0, le=60, description="Wait before a crashed file's first retry, doubled before each next."
    )
    express_max_files: int = Field(
        10, ge=0, description="Jobs of at most this many files go down the express lane, ahead of big "
        "jobs' files; 0 sends every job down the bulk lane."
    )
    processing_guarantee: Literal["at_least_once", "exactly_once"] = Field(
        "exactly_once",
        description="exactly_once: a job's expansion and a task's lint commit their outputs and input offset "
        "in one Kafka transaction, so read_committed readers see each once; at_least_once: repeats possible.",
    )
    transaction_inline_max_bytes: int = Field(
        8 * MIB, ge=0, description="exactly_once only: inline SQL bytes a job's expansion may hold until its "
        "transaction commits; past it, members are written to task files on storage and go by path.",
    )
    expand_concurrency: int = Field(
        4, ge=1, le=64, description="Jobs expanded at once per worker: a big ZIP holds up no other."
    )
    lint_batch_files: int = Field(
        4, ge=1, le=64, description="Small files sent to a lint process together (one pickle, one round "
        "trip); 1: one at a time. Each file keeps its own result and limits."
    )
    lint_batch_bytes: int = Field(
        16 * 1024, ge=0, description="SQL bytes one batch holds at most; a larger file goes alone."
    )

    @property
    def max_poll_records(self) -> int:
        """Records one fetch may return: what a stream's buffer takes past its pause mark, per partition.

        Faust stops fetching a partition once its stream's buffer is under pressure
        (each partition of a topic is paused by its own next record), but delivers
        the rest of a fetch first; whatever does not fit then blocks the one delivery
        loop of every topic, the express lane's included, until bulk files are linted
        (seconds, measured). Fetches this small fit even when every partition of the
        tasks topic still brings one before it is paused.
        """
        maxsize = self.stream_buffer_maxsize
        headroom = maxsize - math.floor(maxsize / FlowControlQueue.pressure_high_ratio)
        return max(1, headroom // max(1, self.topic_partitions))

    @property
    def lint_slots(self) -> int:
        """Files handed to the lint pool at once: its batches in flight, and the next batch per process."""
        return (2 * self.lint_workers + 1) * self.lint_batch_files

    @property
    def lint_concurrency(self) -> int:
        """Actors that keep every lint slot filled while others wait on Kafka or disk."""
        return self.agent_concurrency or self.lint_slots + self.lint_workers
