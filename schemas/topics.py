"""Topic names: the public and internal channels of the pipeline.

Names are settings (``TopicNames``) so a deployment can prefix or rename them;
how a topic is created (partitions, retention) is the platform's business, in
``runtime.kafka_admin``.
"""

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
