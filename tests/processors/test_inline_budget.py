"""Under exactly_once a job's inline SQL is bounded: past the budget, members go by path."""

import io
import uuid
import zipfile
from pathlib import Path

import pytest

from processors.expand import iter_job_events
from processors.expand_zip import InlineBudget, inline_budget
from processors.settings import ProcessorSettings
from processors.storage import read_task_sql
from schemas.events import JobSubmitted, LintTask
from schemas.statuses import SubmissionType

MEMBERS = {f"q{i}.sql": f"select {i} as n{'x' * 90}\n".encode() for i in range(10)}  # ~110 bytes each


def test_the_budget_spends_until_a_member_no_longer_fits() -> None:
    budget = InlineBudget(250)
    assert [budget.take(n) for n in (100, 100, 100, 50, 1)] == [True, True, False, True, False]
    assert budget.used == 250
    unbounded = InlineBudget(None)
    assert all(unbounded.take(10**9) for _ in range(3))


@pytest.mark.parametrize(
    ("guarantee", "limit"), [("exactly_once", 4096), ("at_least_once", None)]
)
def test_only_exactly_once_has_a_budget(guarantee: str, limit: int | None) -> None:
    settings = ProcessorSettings(processing_guarantee=guarantee, transaction_inline_max_bytes=4096)
    assert inline_budget(settings).limit == limit


def _tasks(root: Path, guarantee: str, budget: int) -> list[LintTask]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in MEMBERS.items():
            zf.writestr(name, data)
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip"
    (root / relpath).parent.mkdir(parents=True)
    (root / relpath).write_bytes(buffer.getvalue())
    job = JobSubmitted(job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE, storage_path=relpath)
    settings = ProcessorSettings(
        nfs_share_root_path=root, processing_guarantee=guarantee, transaction_inline_max_bytes=budget
    )
    return [e for e in iter_job_events(job, settings) if isinstance(e, LintTask)]


@pytest.mark.parametrize(("guarantee", "inline"), [("exactly_once", 3), ("at_least_once", 10)])
def test_members_past_the_budget_travel_by_path_with_the_same_text(
    tmp_path: Path, guarantee: str, inline: int
) -> None:
    budget = 3 * len(MEMBERS["q0.sql"]) + 5  # three members fit, the fourth does not
    tasks = _tasks(tmp_path, guarantee, budget)
    assert [t.sql_content is not None for t in tasks] == [True] * inline + [False] * (10 - inline)
    assert sum(t.size_bytes for t in tasks if t.sql_content is not None) <= (
        budget if guarantee == "exactly_once" else sum(map(len, MEMBERS.values()))
    )
    for task, data in zip(tasks, MEMBERS.values(), strict=True):
        text = read_task_sql(task, tmp_path, 1024)
        assert (task.file_name, text) == (f"q{task.ordinal}.sql", data.decode())
