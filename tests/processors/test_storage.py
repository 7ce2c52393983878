import uuid
from pathlib import Path

import pytest

from processors.storage import (
    FileMissingError,
    FileTooLargeError,
    UnsafePathError,
    read_task_sql,
    resolve_storage,
)
from processors.text import NotTextError
from schemas.events import LintTask


def _task(storage_path: str | None = None, sql: str | None = None) -> LintTask:
    return LintTask(
        task_id=uuid.uuid4(),
        job_id=uuid.uuid4(),
        ordinal=0,
        file_name="f.sql",
        storage_path=storage_path,
        sql_content=sql,
        size_bytes=0,
    )


def test_inline_text_is_returned_without_touching_storage(tmp_path: Path) -> None:
    assert read_task_sql(_task(sql="select 1\n"), tmp_path / "nowhere", 10) == "select 1\n"


def test_file_is_read_and_decoded(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "a.sql").write_bytes(b"\xef\xbb\xbfselect 1\n")
    assert read_task_sql(_task("jobs/a.sql"), tmp_path, 100) == "select 1\n"


@pytest.mark.parametrize(
    ("content", "limit", "error"),
    [
        (None, 100, FileMissingError),
        (b"select 1 from a_table\n", 10, FileTooLargeError),
        (b"\x00\x00binary", 100, NotTextError),
    ],
)
def test_unreadable_files_raise_typed_errors(
    tmp_path: Path, content: bytes | None, limit: int, error: type[Exception]
) -> None:
    if content is not None:
        (tmp_path / "f.sql").write_bytes(content)
    with pytest.raises(error):
        read_task_sql(_task("f.sql"), tmp_path, limit)


@pytest.mark.parametrize("path", ["../outside.sql", "/etc/passwd", "jobs/../../x.sql", "."])
def test_paths_outside_the_root_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafePathError):
        resolve_storage(tmp_path / "root", path)


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.sql").write_text("select secret\n")
    (root / "link.sql").symlink_to(tmp_path / "secret.sql")
    with pytest.raises(UnsafePathError):
        read_task_sql(_task("link.sql"), root, 100)
