"""The fix step inside a lint process: ``sqlfluff fix``'s decisions, and a diff that git applies."""

import json
import subprocess
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

from processors.fixing import NO_NEWLINE, fix_outcome, fixed_text, unified_diff
from processors.lint_worker import lint_text

DIRTY = "select a,b from t where x=1\n"
FIXED = "select\n    a,\n    b\nfrom t\nwhere x = 1\n"


def _linter(**kwargs: object) -> Linter:
    return Linter(config=FluffConfig(overrides={"dialect": "ansi", **kwargs}))


def _git_apply(tmp_path: Path, name: str, original: str, diff: str) -> str:
    """Apply ``diff`` with git (the tool a user's ``git apply`` is) and return the file it leaves."""
    (tmp_path / name).write_bytes(original.encode())
    (tmp_path / "fix.diff").write_bytes(diff.encode())
    subprocess.run(["git", "apply", "--unsafe-paths", "fix.diff"], cwd=tmp_path, check=True,
                   capture_output=True)
    return (tmp_path / name).read_bytes().decode()


def test_dirty_sql_is_fixed_as_sqlfluff_fixes_it() -> None:
    assert fixed_text(_linter(), "q.sql", DIRTY) == FIXED


@pytest.mark.parametrize(
    ("sql", "rules", "findings"),
    [
        ("selec a frm t\n", "all", {"PRS"}),  # unparsable: never fixed (no --FIX-EVEN-UNPARSABLE)
        ("select a from t\n", "all", set()),  # clean: nothing to fix
        ("select * from t\n", "AM04", {"AM04"}),  # only an unfixable finding
    ],
)
def test_files_sqlfluff_fix_leaves_alone(sql: str, rules: str, findings: set[str]) -> None:
    linter = _linter(rules=rules)
    found = {v.rule_code() for v in linter.lint_string(sql, fname="q.sql").get_violations()}
    assert found == findings
    assert fixed_text(linter, "q.sql", sql) == sql


def test_unparsable_file_keeps_even_its_fixable_violations_unfixed() -> None:
    sql = "select a,b from t where x=1;\nselec frm;\n"
    assert fixed_text(_linter(), "q.sql", sql) == sql
    assert fixed_text(_linter(fix_even_unparsable=True), "q.sql", sql) != sql


def test_diff_headers_and_hunks(tmp_path: Path) -> None:
    diff = unified_diff(DIRTY, FIXED, "dir/q.sql")
    assert diff.startswith("--- a/dir/q.sql\n+++ b/dir/q.sql\n@@ -1 +1,5 @@\n-select a,b from t where x=1\n")
    (tmp_path / "dir").mkdir()
    assert _git_apply(tmp_path, "dir/q.sql", DIRTY, diff) == FIXED


@pytest.mark.parametrize(
    ("original", "fixed"),
    [
        ("select a,b from t", "select\n    a,\n    b\nfrom t\n"),  # the original lacks its final newline
        ("select 1\n", "select 1"),  # the fixed one lacks it
        ("select 1\fx\n", "select 1\fy\n"),  # a form feed is not a line break for git
        ("select 1\r\nfrom t\r\n", "select 1\r\nfrom u\r\n"),
    ],
)
def test_diff_applies_with_git_byte_for_byte(tmp_path: Path, original: str, fixed: str) -> None:
    diff = unified_diff(original, fixed, "q.sql")
    assert _git_apply(tmp_path, "q.sql", original, diff) == fixed
    assert diff.count(NO_NEWLINE) == (not original.endswith("\n")) + (not fixed.endswith("\n"))


def test_outcome_of_an_unchanged_file_has_an_empty_diff() -> None:
    assert fix_outcome(_linter(), "q.sql", "select a from t\n") == {
        "fixed": False, "fixed_sql": "select a from t\n", "diff": ""
    }


def test_the_lint_process_adds_the_fix_only_when_asked() -> None:
    plain = lint_text("q.sql", DIRTY, json.dumps({"dialect": "ansi"}))
    asked = lint_text("q.sql", DIRTY, json.dumps({"dialect": "ansi", "fix": True}))
    assert plain["fix"] is None
    assert asked["fix"] == {"fixed": True, "fixed_sql": FIXED, "diff": unified_diff(DIRTY, FIXED, "q.sql")}
    assert asked["violations"] == plain["violations"]  # the fix pass does not change what lint reports
