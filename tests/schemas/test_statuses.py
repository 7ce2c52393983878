import pytest

from schemas.statuses import (
    JobStatus,
    TaskStatus,
    advance_job,
    advance_task,
    job_outcome,
)


@pytest.mark.parametrize(
    ("current", "proposed", "expected"),
    [
        (None, TaskStatus.PENDING, TaskStatus.PENDING),
        (TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS),
        (TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.IN_PROGRESS),
        (TaskStatus.SUCCESS, TaskStatus.IN_PROGRESS, TaskStatus.SUCCESS),
        (TaskStatus.SUCCESS, TaskStatus.FAILURE, TaskStatus.SUCCESS),
        (TaskStatus.FAILURE, TaskStatus.SUCCESS, TaskStatus.FAILURE),
        (None, TaskStatus.FAILURE, TaskStatus.FAILURE),
    ],
)
def test_task_status_never_moves_backwards(
    current: TaskStatus | None, proposed: TaskStatus, expected: TaskStatus
) -> None:
    assert advance_task(current, proposed) is expected


@pytest.mark.parametrize(
    ("current", "proposed", "expected"),
    [
        (JobStatus.ACCEPTED, JobStatus.PROCESSING, JobStatus.PROCESSING),
        (JobStatus.PROCESSING, JobStatus.ACCEPTED, JobStatus.PROCESSING),
        (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.COMPLETED),
        (JobStatus.FAILED, JobStatus.PROCESSING, JobStatus.FAILED),
    ],
)
def test_job_status_never_moves_backwards(
    current: JobStatus, proposed: JobStatus, expected: JobStatus
) -> None:
    assert advance_job(current, proposed) is expected


@pytest.mark.parametrize(
    ("count", "ok", "failed", "expected"),
    [
        (3, 1, 1, JobStatus.PROCESSING),
        (3, 3, 0, JobStatus.COMPLETED),
        (3, 2, 1, JobStatus.PARTIALLY_COMPLETED),
        (3, 0, 3, JobStatus.FAILED),
        (1, 1, 0, JobStatus.COMPLETED),
    ],
)
def test_job_outcome_from_tallies(count: int, ok: int, failed: int, expected: JobStatus) -> None:
    assert job_outcome(count, ok, failed) is expected
