"""Job and task statuses, and the rule that a status never moves backwards.

Kafka delivers at least once and the sink reads several topics, so events for
one task can arrive replayed or out of order. Ranking the statuses lets every
writer keep the furthest state it has seen, which makes replays harmless.
"""

from enum import StrEnum


class JobStatus(StrEnum):
    """Lifecycle of a submitted job."""

    ACCEPTED = "ACCEPTED"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED"
    FAILED = "FAILED"


class TaskStatus(StrEnum):
    """Lifecycle of one file's lint task."""

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class SubmissionType(StrEnum):
    """What the user sent: one SQL text or file, or an archive of many."""

    SINGLE_FILE = "SINGLE_FILE"
    ZIP_ARCHIVE = "ZIP_ARCHIVE"


_JOB_RANK = {
    JobStatus.ACCEPTED: 0,
    JobStatus.PROCESSING: 1,
    JobStatus.COMPLETED: 2,
    JobStatus.PARTIALLY_COMPLETED: 2,
    JobStatus.FAILED: 2,
}
_TASK_RANK = {
    TaskStatus.PENDING: 0,
    TaskStatus.IN_PROGRESS: 1,
    TaskStatus.SUCCESS: 2,
    TaskStatus.FAILURE: 2,
}

JOB_FINAL = frozenset(s for s, r in _JOB_RANK.items() if r == 2)
TASK_FINAL = frozenset(s for s, r in _TASK_RANK.items() if r == 2)


def job_rank(status: JobStatus) -> int:
    """Order of a job status; equal ranks are alternative final outcomes."""
    return _JOB_RANK[status]


def task_rank(status: TaskStatus) -> int:
    """Order of a task status; equal ranks are alternative final outcomes."""
    return _TASK_RANK[status]


def advance_job(current: JobStatus | None, proposed: JobStatus) -> JobStatus:
    """Keep the furthest status: a final status is never replaced."""
    if current is None or job_rank(proposed) > job_rank(current):
        return proposed
    return current


def advance_task(current: TaskStatus | None, proposed: TaskStatus) -> TaskStatus:
    """Keep the furthest status: a final status is never replaced."""
    if current is None or task_rank(proposed) > task_rank(current):
        return proposed
    return current


def job_outcome(task_count: int, succeeded: int, failed: int) -> JobStatus:
    """Status of a job from its task tallies, once expansion has counted them."""
    if succeeded + failed < task_count:
        return JobStatus.PROCESSING
    if failed == 0:
        return JobStatus.COMPLETED
    if succeeded == 0:
        return JobStatus.FAILED
    return JobStatus.PARTIALLY_COMPLETED
