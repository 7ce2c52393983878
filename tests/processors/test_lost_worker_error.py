import uuid

import pytest

from processors.agents import lost_worker_error
from processors.results import failure_result
from schemas.events import ErrorInfo, LintOptions, LintResult
from schemas.statuses import TaskStatus


def _failure(code: str) -> LintResult:
    return failure_result(
        uuid.uuid4(), uuid.uuid4(), "f.sql", LintOptions(), ErrorInfo(code=code, message="m")
    )


@pytest.mark.parametrize("code", ["LINT_TIMEOUT", "LINT_CRASHED", "LINT_MEMORY"])
def test_results_of_lost_workers_are_dead_lettered(code: str) -> None:
    error = lost_worker_error(_failure(code))
    assert error is not None
    assert error.code == code


@pytest.mark.parametrize(
    "code", ["NOT_TEXT", "FILE_TOO_LARGE", "INVALID_CONFIG", "LINT_ERROR", "LINT_RECURSION"]
)
def test_ordinary_file_failures_are_not(code: str) -> None:
    assert lost_worker_error(_failure(code)) is None


def test_successes_are_not() -> None:
    ok = LintResult(
        job_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        file_name="f",
        status=TaskStatus.SUCCESS,
        dialect="ansi",
        sqlfluff_version="x",
    )
    assert lost_worker_error(ok) is None
