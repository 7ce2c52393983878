"""Topic names and shapes: the public and internal channels of the pipeline.

Names are settings (``TopicNames``) so a deployment can prefix or rename them;
partition counts and configs are defaults for whoever creates the topics.
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class TopicNames(BaseModel):
    """Where each stream lives; every service reads the same names.

    ``lint_cache`` (compacted, internal to the processors) defaults to the
    tasks topic's name with ``tasks`` replaced by ``lint-cache``, so a
    deployment or test that renames its topics gets its own cache too,
    instead of silently sharing (and deleting) the default one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    jobs: str = "sqllint.jobs.v1"
    tasks: str = "sqllint.tasks.v1"
    progress: str = "sqllint.progress.v1"
    lint_results: str = "sqllint.lint-results.v1"
    dead_letter: str = "sqllint.dead-letter.v1"
    lint_cache: str = "sqllint.lint-cache.v1"

    @model_validator(mode="before")
    @classmethod
    def _derive_lint_cache(cls, data: Any) -> Any:
        if isinstance(data, dict) and "lint_cache" not in data and "tasks" in data:
            tasks = str(data["tasks"])
            head, sep, tail = tasks.rpartition("tasks")
            data = {**data, "lint_cache": f"{head}lint-cache{tail}" if sep else f"{tasks}.lint-cache"}
        return data


@dataclass(frozen=True)
class TopicSpec:
    """How to create a topic when it does not exist yet."""

    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(names: TopicNames, partitions: int = 8, replication_min_isr: int = 1) -> list[TopicSpec]:
    """Specs for every topic; tasks get the most partitions since they carry the load."""
    isr = {"min.insync.replicas": str(replication_min_isr)}
    week = {"retention.ms": str(7 * 24 * 3600 * 1000), **isr}
    return [
        TopicSpec(names.jobs, max(1, partitions // 2), week),
        TopicSpec(names.tasks, partitions, week),
        TopicSpec(names.progress, partitions, week),
        TopicSpec(names.lint_results, partitions, week),
        TopicSpec(names.dead_letter, 1, {"retention.ms": str(30 * 24 * 3600 * 1000), **isr}),
        # Keyed by the content hash: compaction keeps one entry per key, forever.
        TopicSpec(names.lint_cache, max(1, partitions // 2), {"cleanup.policy": "compact", **isr}),
    ]
