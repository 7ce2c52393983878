import io
import uuid
import warnings
import zipfile
from pathlib import Path

import pytest

from processors.expand import ExpansionEvent, expand_job
from processors.settings import ProcessorSettings
from schemas.events import (
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintOptions,
    LintResult,
    LintTask,
    TaskRegistered,
)
from schemas.statuses import SubmissionType, TaskStatus

LARGE = ("SELECT col_a, col_b FROM some_table WHERE col_c = 1;\n" * 60).encode()  # ~3 KB
MEMBERS: list[tuple[str, bytes]] = [
    ("ansi/a.sql", b"select a from t\n"),
    ("ansi/nested/deep/b.sql", b"SELECT b FROM u\n"),
    ("mysql/c.sql", b"\xef\xbb\xbfselect c from v\n"),
    ("mysql/nested/big.sql", LARGE),
    ("ansi/a.sql", b"select duplicate from t\n"),
    ("../evil.sql", b"select 1\n"),
    ("mysql/binary.sql", b"\x00\x01\x02\xff"),
    ("README.txt", b"not sql"),
]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate name on purpose
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def settings(tmp_path: Path) -> ProcessorSettings:
    return ProcessorSettings(nfs_share_root_path=tmp_path, inline_max_bytes=1024)


def _zip_job(root: Path, data: bytes) -> JobSubmitted:
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip"
    (root / relpath).parent.mkdir(parents=True)
    (root / relpath).write_bytes(data)
    return JobSubmitted(
        job_id=job_id,
        submission_type=SubmissionType.ZIP_ARCHIVE,
        storage_path=relpath,
        options=LintOptions(dialect="mysql"),
    )


async def _expand(job: JobSubmitted, settings: ProcessorSettings) -> list[ExpansionEvent]:
    """The expansion events, without the ordinal announcements (checked on their own)."""
    return [event async for event in expand_job(job, settings) if not isinstance(event, TaskRegistered)]


async def test_results_settled_at_expansion_are_registered_with_their_ordinal(
    settings: ProcessorSettings,
) -> None:
    job = _zip_job(settings.nfs_share_root_path, _zip(MEMBERS))
    events = [event async for event in expand_job(job, settings)]
    registered = [e for e in events if isinstance(e, TaskRegistered)]
    per_file = [e for e in events if isinstance(e, LintTask | LintResult)]
    assert [(r.ordinal, r.file_name) for r in registered] == [
        (i, e.file_name) for i, e in enumerate(per_file) if isinstance(e, LintResult)
    ]
    for announcement in registered:
        result = events[events.index(announcement) + 1]
        assert isinstance(result, LintResult) and result.task_id == announcement.task_id


async def test_zip_expands_to_one_event_per_sql_member(settings: ProcessorSettings) -> None:
    job = _zip_job(settings.nfs_share_root_path, _zip(MEMBERS))
    events = await _expand(job, settings)

    per_file = events[:-1]
    assert [getattr(e, "file_name", None) for e in per_file] == [
        "ansi/a.sql",
        "ansi/nested/deep/b.sql",
        "mysql/c.sql",
        "mysql/nested/big.sql",
        "ansi/a.sql",
        "../evil.sql",
        "mysql/binary.sql",
    ]
    assert events[-1] == JobExpanded(job_id=job.job_id, task_count=7, expanded_at=events[-1].expanded_at)
    tasks = [e for e in per_file if isinstance(e, LintTask)]
    failures = {e.file_name: e for e in per_file if isinstance(e, LintResult)}
    assert [t.ordinal for t in tasks] == [0, 1, 2, 3, 4]
    assert len({e.task_id for e in per_file}) == 7  # duplicates stay distinct tasks
    assert tasks[0].sql_content == "select a from t\n"
    assert tasks[2].sql_content == "select c from v\n"  # BOM stripped
    assert tasks[4].sql_content == "select duplicate from t\n"
    assert all(t.options.dialect == "mysql" and t.job_id == job.job_id for t in tasks)
    assert failures["../evil.sql"].status is TaskStatus.FAILURE
    assert failures["../evil.sql"].error is not None
    assert failures["../evil.sql"].error.code == "UNSAFE_PATH"
    assert failures["mysql/binary.sql"].error is not None
    assert failures["mysql/binary.sql"].error.code == "NOT_TEXT"


async def test_large_member_is_extracted_under_the_job_folder(settings: ProcessorSettings) -> None:
    root = settings.nfs_share_root_path
    job = _zip_job(root, _zip(MEMBERS))
    big = next(e for e in await _expand(job, settings) if isinstance(e, LintTask) and e.sql_content is None)
    assert big.storage_path == f"jobs/{job.job_id}/tasks/{big.task_id}.sql"
    assert big.size_bytes == len(LARGE)
    assert (root / big.storage_path).read_bytes() == LARGE
    extracted = [p for p in root.rglob("*") if p.is_file()]
    assert sorted(p.relative_to(root).as_posix() for p in extracted) == sorted(
        [f"jobs/{job.job_id}/upload.zip", big.storage_path]
    )


async def test_replayed_expansion_has_the_same_task_ids(settings: ProcessorSettings) -> None:
    job = _zip_job(settings.nfs_share_root_path, _zip(MEMBERS))
    first = [e.task_id for e in await _expand(job, settings) if isinstance(e, LintTask | LintResult)]
    again = [e.task_id for e in await _expand(job, settings) if isinstance(e, LintTask | LintResult)]
    assert first == again
    other = _zip_job(settings.nfs_share_root_path, _zip(MEMBERS))
    assert not set(first) & {e.task_id for e in await _expand(other, settings) if isinstance(e, LintTask)}


@pytest.mark.parametrize(
    ("storage_data", "code"),
    [(b"this is not a zip", "ZIP_CORRUPT"), (_zip([("notes.txt", b"x")]), "ZIP_EMPTY")],
)
async def test_unusable_archive_rejects_the_job(
    settings: ProcessorSettings, storage_data: bytes, code: str
) -> None:
    job = _zip_job(settings.nfs_share_root_path, storage_data)
    events = await _expand(job, settings)
    assert len(events) == 1
    assert isinstance(events[0], JobRejected)
    assert events[0].error.code == code


async def test_storage_path_outside_the_root_is_rejected(settings: ProcessorSettings) -> None:
    job = JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.ZIP_ARCHIVE, storage_path="../../etc/passwd"
    )
    [event] = await _expand(job, settings)
    assert isinstance(event, JobRejected)
    assert event.error.code == "UNSAFE_PATH"


async def test_missing_archive_rejects_the_job(settings: ProcessorSettings) -> None:
    job = JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.ZIP_ARCHIVE, storage_path="imports/default/x.zip"
    )
    [event] = await _expand(job, settings)
    assert isinstance(event, JobRejected)
    assert event.error.code == "FILE_NOT_FOUND"


@pytest.mark.parametrize(
    ("tenant", "path"),
    [
        (None, "x.zip"),  # the root itself is nobody's
        ("acme", "imports/globex/theirs.zip"),  # another tenant's area
        (None, "imports/acme/theirs.zip"),
        ("acme", "jobs/{other}/upload.zip"),  # another job's upload
        ("acme", "incoming/0123abcd"),  # an upload being received
        ("acme", "imports/acme"),  # the area itself, not a file in it
    ],
)
async def test_a_job_reads_only_its_own_folder_and_its_tenants_area(
    settings: ProcessorSettings, tenant: str | None, path: str
) -> None:
    """A producer names any path: each is refused by its text and links, whether the file exists or not."""
    root, other = settings.nfs_share_root_path, uuid.uuid4()
    target = root / path.format(other=other)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(_zip([("a.sql", b"select 1\n")]))
    job = JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.ZIP_ARCHIVE,
        storage_path=path.format(other=other), tenant=tenant,
    )
    [event] = await _expand(job, settings)
    assert isinstance(event, JobRejected)
    assert event.error.code == "UNSAFE_PATH"


async def test_a_link_in_the_tenants_area_to_another_job_is_refused(settings: ProcessorSettings) -> None:
    root = settings.nfs_share_root_path
    theirs = _zip_job(root, _zip([("a.sql", b"select 1\n")]))
    (root / "imports" / "acme").mkdir(parents=True)
    (root / "imports" / "acme" / "mine.zip").symlink_to(root / str(theirs.storage_path))
    job = JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.ZIP_ARCHIVE,
        storage_path="imports/acme/mine.zip", tenant="acme",
    )
    [event] = await _expand(job, settings)
    assert isinstance(event, JobRejected) and event.error.code == "UNSAFE_PATH"
    own = job.model_copy(update={"storage_path": "imports/acme/real.zip"})
    (root / "imports" / "acme" / "real.zip").write_bytes(_zip([("a.sql", b"select 1\n")]))
    assert any(isinstance(e, JobExpanded) for e in await _expand(own, settings))  # its own file is read


async def test_inline_job_is_one_inline_task(settings: ProcessorSettings) -> None:
    job = JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE, sql_content="select 1\n"
    )
    task, expanded = await _expand(job, settings)
    assert isinstance(task, LintTask)
    assert (task.sql_content, task.file_name, task.ordinal) == ("select 1\n", "inline.sql", 0)
    assert isinstance(expanded, JobExpanded)
    assert expanded.task_count == 1


async def test_oversized_inline_text_is_a_failure_result(tmp_path: Path) -> None:
    settings = ProcessorSettings(nfs_share_root_path=tmp_path, max_file_bytes=10)
    job = JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE, sql_content="select 1 from t\n"
    )
    result, expanded = await _expand(job, settings)
    assert isinstance(result, LintResult)
    assert result.error is not None
    assert result.error.code == "FILE_TOO_LARGE"
    assert isinstance(expanded, JobExpanded)
    assert expanded.task_count == 1


async def test_single_file_task_references_the_upload(settings: ProcessorSettings) -> None:
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/query.sql"
    (settings.nfs_share_root_path / relpath).parent.mkdir(parents=True)
    (settings.nfs_share_root_path / relpath).write_bytes(LARGE)
    job = JobSubmitted(job_id=job_id, submission_type=SubmissionType.SINGLE_FILE, storage_path=relpath)
    task, expanded = await _expand(job, settings)
    assert isinstance(task, LintTask)
    assert (task.storage_path, task.file_name, task.size_bytes) == (relpath, "query.sql", len(LARGE))
    assert isinstance(expanded, JobExpanded)
    assert expanded.task_count == 1
