import gc
from pathlib import Path
from typing import Any

import pytest
import sqlfluff

from processors import lint_worker
from processors.lint_worker import lint_text
from schemas.events import LintOptions

DATA = Path(__file__).parents[1] / "data" / "sql"
MESSY = "select a,b  from t join u on t.id=u.id where x = 1 and y=2\n"


def _key(v: dict[str, Any]) -> tuple[str, int, int]:
    return (v["code"], v["start_line_no"], v["start_line_pos"])


def _assert_same(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    # LT07 positions depend on the hash seed; compare it by count only.
    assert sorted(_key(v) for v in ours if v["code"] != "LT07") == sorted(
        _key(v) for v in theirs if v["code"] != "LT07"
    )
    assert sum(v["code"] == "LT07" for v in ours) == sum(v["code"] == "LT07" for v in theirs)


def _lint(sql: str, **options: Any) -> dict[str, Any]:
    return lint_text("f.sql", sql, LintOptions(**options).model_dump_json())


@pytest.mark.parametrize("path", sorted(DATA.glob("*/*.sql"))[:12], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_files_match_sqlfluff(path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    result = _lint(sql, dialect=path.parent.name)
    assert result["status"] == "SUCCESS"
    _assert_same(result["violations"], sqlfluff.lint(sql, dialect=path.parent.name))


def test_rules_and_exclusions_match_sqlfluff() -> None:
    result = _lint(MESSY, rules=("LT01", "CP01", "AL01"), exclude_rules=("CP01",))
    theirs = sqlfluff.lint(MESSY, dialect="ansi", rules=["LT01", "CP01", "AL01"], exclude_rules=["CP01"])
    assert result["violations"]
    assert {v["code"] for v in result["violations"]} <= {"LT01", "AL01"}
    _assert_same(result["violations"], theirs)


def test_violation_has_json_format_shape_without_fixes() -> None:
    violation = _lint(MESSY)["violations"][0]
    assert set(violation) == {
        "code",
        "description",
        "name",
        "start_line_no",
        "start_line_pos",
        "end_line_no",
        "end_line_pos",
        "warning",
    }


def test_config_is_applied() -> None:
    long_line = "SELECT " + ", ".join(f"column_{i}" for i in range(5)) + " FROM t\n"
    assert not any(v["code"] == "LT05" for v in _lint(long_line)["violations"])
    narrow = _lint(long_line, config="[sqlfluff]\nmax_line_length = 40\n")
    assert any(v["code"] == "LT05" for v in narrow["violations"])


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"dialect": "no_such_dialect"}, "INVALID_CONFIG"),
        ({"config": "[sqlfluff]\nlibrary_path = /tmp\n"}, "FORBIDDEN_CONFIG_KEY"),
        ({"config": "not an ini file"}, "INVALID_CONFIG"),
    ],
)
def test_rejected_options_are_a_failure_value(options: dict[str, Any], code: str) -> None:
    result = _lint("SELECT 1\n", **options)
    assert result["status"] == "FAILURE"
    assert result["error"]["code"] == code
    assert result["violations"] == []


def test_deep_nesting_past_the_parsers_limit_is_a_failure_not_a_partial_result() -> None:
    # SQLFluff stops at the same limit with one PRS violation and lints nothing else of the file.
    sql = "SELECT " + "(" * 3000 + "1" + ")" * 3000 + "\n"
    theirs = sqlfluff.lint(sql)
    assert [v["code"] for v in theirs] == ["PRS"]
    assert "Maximum parse depth exceeded (limit 600)" in theirs[0]["description"]
    result = _lint(sql)
    assert result["status"] == "FAILURE"
    assert result["error"]["code"] == "LINT_PARSE_LIMIT"
    assert result["error"]["message"].startswith("line 1: Maximum parse depth exceeded (limit 600)")


def test_parser_panic_fails_the_file_not_the_worker() -> None:
    # SQLFluff's Rust parser panics past 3M iterations; pyo3 raises that as a BaseException.
    sql = "select " + ", ".join(f"c{i}" for i in range(30_000)) + " from t\n"
    result = _lint(sql)
    assert result["status"] == "FAILURE"
    assert result["error"]["code"] == "LINT_PARSER_PANIC"
    assert _lint("SELECT 1\n")["status"] == "SUCCESS"


class _ExplodingLinter:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def get_rulepack(self) -> None:  # the worker's first call into a linter
        raise self.error


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (MemoryError(), "LINT_MEMORY"),
        (RecursionError("maximum recursion depth exceeded"), "LINT_RECURSION"),
        (RuntimeError("sqlfluff bug"), "LINT_ERROR"),
    ],
)
def test_linter_exceptions_become_failure_values(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, code: str
) -> None:
    monkeypatch.setattr(lint_worker, "_linter_for", lambda options: _ExplodingLinter(error))
    result = _lint("SELECT 1\n")
    assert result["status"] == "FAILURE"
    assert result["error"]["code"] == code


def test_large_file_is_not_skipped() -> None:
    sql = "select a,b from t;\n" * 2000  # ~38 KB, over SQLFluff's 20 KB default skip
    result = _lint(sql, rules=("LT01",))
    assert result["status"] == "SUCCESS"
    assert len(result["violations"]) == 2000


def test_a_new_linter_is_frozen_out_of_the_collectors_sight(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its objects (dialect, rule pack) live as long as it does; the collector must not walk them per file."""
    monkeypatch.setattr(lint_worker, "_linters", type(lint_worker._linters)(maxsize=4))
    monkeypatch.setattr(lint_worker, "_rule_packs", type(lint_worker._rule_packs)(maxsize=4))
    gc.unfreeze()
    try:
        assert _lint(MESSY, dialect="ansi")["status"] == "SUCCESS"
        frozen = gc.get_freeze_count()
        assert frozen > 0
        _lint(MESSY + "-- again\n", dialect="ansi")  # the same linter: nothing frozen anew
        assert gc.get_freeze_count() <= frozen  # frozen objects may still die by reference count
    finally:
        gc.unfreeze()
