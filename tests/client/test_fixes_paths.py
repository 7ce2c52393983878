"""The service's diffs renamed to the user's paths: they still apply with git, from the working directory."""

import subprocess
from pathlib import Path

from client.fixes import patch_path, to_fix, with_path
from processors.fixing import unified_diff

ORIGINAL = "select a,b from t where x=1\n"
FIXED = "select\n    a,\n    b\nfrom t where x = 1\n"


def test_headers_name_the_users_file_and_the_patch_applies(tmp_path: Path) -> None:
    # The CLI zipped sub/models/q.sql as models/q.sql (relative to the group's common folder).
    service = unified_diff(ORIGINAL, FIXED, "models/q.sql")
    assert service.startswith("--- a/models/q.sql\n+++ b/models/q.sql\n")
    answer = {"task_id": "t", "file_name": "models/q.sql", "fixed": True, "fixed_sql": FIXED, "diff": service}
    fix = to_fix(answer, {"models/q.sql": "sub/models/q.sql"}, tmp_path)
    assert (fix.path, fix.fixed, fix.fixed_sql, fix.error) == ("sub/models/q.sql", True, FIXED, None)
    assert fix.diff.startswith("--- a/sub/models/q.sql\n+++ b/sub/models/q.sql\n@@")
    assert fix.diff.splitlines()[2:] == service.splitlines()[2:]
    (tmp_path / "sub" / "models").mkdir(parents=True)
    (tmp_path / "sub" / "models" / "q.sql").write_text(ORIGINAL)
    (tmp_path / "fix.diff").write_text(fix.diff)
    subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "sub" / "models" / "q.sql").read_text() == FIXED


def test_absolute_paths_under_the_working_directory_become_relative(tmp_path: Path) -> None:
    assert patch_path(str(tmp_path / "a" / "q.sql"), tmp_path) == "a/q.sql"
    assert patch_path("a/q.sql", tmp_path) == "a/q.sql"
    assert patch_path("/elsewhere/q.sql", tmp_path) == "/elsewhere/q.sql"


def test_unchanged_and_failed_files_carry_no_diff(tmp_path: Path) -> None:
    same = to_fix({"file_name": "q.sql", "fixed": False, "fixed_sql": ORIGINAL, "diff": ""}, {}, tmp_path)
    assert (same.path, same.fixed, same.diff) == ("q.sql", False, "")
    error = {"code": "LINT_TIMEOUT", "message": "over 60 s"}
    failed = to_fix({"file_name": "q.sql", "fixed": False, "fixed_sql": None, "diff": None, "error": error},
                    {}, tmp_path)
    assert (failed.fixed_sql, failed.diff, failed.error) == (None, "", error)
    assert with_path("", "q.sql", "x.sql") == ""
