"""Topic names: the public and internal channels of the pipeline.

Names are settings (``TopicNames``) so a deployment can prefix or rename them;
how a topic is created (partitions, retention) is the platform's business, in
``runtime.kafka_admin``.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

# Internal topics named after the tasks topic unless named themselves.
_DERIVED = {
    "lint_cache": "lint-cache", "workers": "workers", "control": "control", "express_tasks": "express-tasks",
}


class TopicNames(BaseModel):
    """Where each stream lives; every service reads the same names.

    ``lint_cache`` (compacted, internal to the processors), ``workers``
    (compacted heartbeats), ``control`` (operators' actions) and
    ``express_tasks`` (the tasks of small jobs, internal to the processors:
    their lane past the big jobs' backlog) default to the tasks topic's name
    with ``tasks`` replaced by ``lint-cache``, ``workers``, ``control`` or
    ``express-tasks``, so a deployment or test that renames its
    topics gets its own internal topics too, instead of silently sharing
    (and deleting) the default ones.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    jobs: str = "sqllint.jobs.v1"
    tasks: str = "sqllint.tasks.v1"
    progress: str = "sqllint.progress.v1"
    lint_results: str = "sqllint.lint-results.v1"
    dead_letter: str = "sqllint.dead-letter.v1"
    lint_cache: str = "sqllint.lint-cache.v1"
    workers: str = "sqllint.workers.v1"
    control: str = "sqllint.control.v1"
    express_tasks: str = "sqllint.express-tasks.v1"

    @model_validator(mode="before")
    @classmethod
    def _derive_internal(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "tasks" not in data:
            return data
        tasks = str(data["tasks"])
        head, sep, tail = tasks.rpartition("tasks")
        derived = {
            name: f"{head}{stem}{tail}" if sep else f"{tasks}.{stem}"
            for name, stem in _DERIVED.items()
            if name not in data
        }
        return {**data, **derived}
