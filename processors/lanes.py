"""Which lane a job's tasks take: the express lane for small jobs, the bulk lane for the rest.

Tasks of one topic are linted in the order of their partitions, so a one-line
job whose task lands behind a 2,000-file ZIP's would wait for those files. A
job of at most ``express_max_files`` files instead sends its tasks down the
``express_tasks`` lane, read by its own agent, whose files also take the next
free lint process first (:mod:`processors.lint_gate`). The lane is decided per
job, once its file count is known and before its first task is published.

The sink reads the tasks topic for each task's place in its job, not the lane
(internal to the processors): an express task is announced to it on the
progress topic by a ``task.registered``, as files settled at expansion are.
"""

from schemas.events import LintTask, Record, TaskRegistered
from schemas.routing import TopicField

EXPRESS: TopicField = "express_tasks"


class JobLane:
    """One job's lane, known once :meth:`sized` was called (from the expansion's thread)."""

    def __init__(self, express_max_files: int) -> None:
        self.express_max_files = express_max_files
        self.files: int | None = None

    def sized(self, files: int) -> None:
        """The job has ``files`` files: called before its first task is yielded."""
        self.files = files

    @property
    def express(self) -> bool:
        """Whether the job is small enough for the express lane."""
        return self.files is not None and 0 < self.files <= self.express_max_files

    def publications(self, event: Record) -> list[tuple[Record, TopicField | None]]:
        """What to publish for one expansion event, and down which lane (``None``: its own topic)."""
        if not (self.express and isinstance(event, LintTask)):
            return [(event, None)]
        registered = TaskRegistered(
            task_id=event.task_id, job_id=event.job_id, ordinal=event.ordinal, file_name=event.file_name
        )
        return [(registered, None), (event, EXPRESS)]
