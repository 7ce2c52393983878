"""In-file directives and the parser's limits through the real lint pool (spawned lint processes).

A hostile file that raises the parser's depth limit in a ``-- sqlfluff:`` line
runs ~40 s in SQLFluff (3,000 nested parentheses, measured); refused before
SQLFluff sees it, it fails in milliseconds. Allowed directives and ``noqa``
give what ``sqlfluff lint`` gives on the same file.
"""

import json
import os
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from processors.lint_pool import LintOutcome, LintPool
from schemas.events import LintOptions
from schemas.statuses import TaskStatus
from tests.processors.sqlfluff_cli import SERVICE_DEFAULTS, sqlfluff_command

TIME_LIMIT = 60.0  # the pool's limit here, as PROCESSORS_LINT_TIMEOUT_SECONDS's default
FAST = 5.0  # "fails fast": well under the time limit, linter construction included
DEEP = "SELECT " + "(" * 3000 + "1" + ")" * 3000 + "\n"


@pytest.fixture
async def pool() -> AsyncIterator[LintPool]:
    lint_pool = LintPool(workers=1, timeout_seconds=TIME_LIMIT, memory_mb=1536, max_tasks=0)
    try:
        yield lint_pool
    finally:
        lint_pool.close()


async def _timed(pool: LintPool, sql: str, options: LintOptions | None = None) -> tuple[LintOutcome, float]:
    started = time.monotonic()
    outcome = await pool.lint("f.sql", sql, options or LintOptions())
    return outcome, time.monotonic() - started


def _cli_lint(sql: str, workdir: Path) -> list[tuple[str, int, int]]:
    """``sqlfluff lint`` on the file, with the service's defaults as its .sqlfluff."""
    (workdir / ".sqlfluff").write_text(SERVICE_DEFAULTS)
    (workdir / "f.sql").write_text(sql)
    done = subprocess.run(
        [
            sqlfluff_command(),
            "lint",
            "--dialect",
            "ansi",
            "--format",
            "json",
            "--disable-progress-bar",
            "f.sql",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert done.returncode in (0, 1), done.stderr
    (record,) = json.loads(done.stdout)
    return sorted((v["code"], v["start_line_no"], v["start_line_pos"]) for v in record["violations"])


def _ours(outcome: LintOutcome) -> list[tuple[str, int, int]]:
    return sorted((v.code, v.start_line_no, v.start_line_pos) for v in outcome.violations)


def _error(outcome: LintOutcome) -> dict[str, Any]:
    assert outcome.status is TaskStatus.FAILURE and outcome.error is not None
    return outcome.error.model_dump(mode="json")


@pytest.mark.timeout(180)
async def test_a_directive_raising_the_depth_limit_fails_fast_naming_line_and_key(pool: LintPool) -> None:
    hostile = "select 1;\n-- sqlfluff:max_parse_depth:100000\n" + DEEP
    outcome, seconds = await _timed(pool, hostile)
    error = _error(outcome)
    assert error["code"] == "FORBIDDEN_INLINE_CONFIG"
    assert error["message"].startswith("line 2: ") and "max_parse_depth" in error["message"]
    assert outcome.violations == ()
    assert seconds < FAST


@pytest.mark.timeout(180)
async def test_deep_nesting_stops_at_the_services_depth_limit_fast(pool: LintPool) -> None:
    outcome, seconds = await _timed(pool, DEEP, LintOptions(config="[sqlfluff]\nmax_line_length = 200\n"))
    error = _error(outcome)
    assert error["code"] == "LINT_PARSE_LIMIT"
    assert "limit 600" in error["message"]
    assert seconds < FAST


@pytest.mark.timeout(180)
async def test_a_catastrophic_regex_in_a_directive_is_refused_at_once(pool: LintPool) -> None:
    sql = "-- sqlfluff:rules:CV09:blocked_regex:^(a+)+$\nselect " + "a" * 40 + "b from t\n"
    outcome, seconds = await _timed(pool, sql)
    assert _error(outcome)["code"] == "FORBIDDEN_INLINE_CONFIG"
    assert "regular expression" in _error(outcome)["message"]
    assert seconds < FAST
    in_config = LintOptions(config="[sqlfluff:rules:CV09]\nblocked_regex = ^(a+)+$\n")
    assert (
        _error(await pool.lint("f.sql", sql.split("\n", 1)[1], in_config))["code"] == "FORBIDDEN_CONFIG_KEY"
    )


@pytest.mark.timeout(300)
async def test_allowed_directives_work_as_in_sqlfluff_lint(pool: LintPool, tmp_path: Path) -> None:
    sql = (
        "-- sqlfluff:max_line_length:30\n"
        "-- sqlfluff:dialect:postgres\n"
        "SELECT aaaaaaaa, bbbbbbbbb, cccccccc FROM t\n"
    )
    outcome = await pool.lint("f.sql", sql, LintOptions())
    assert outcome.status is TaskStatus.SUCCESS
    ours = _ours(outcome)
    assert ("LT05", 3, 1) in ours  # the directive took effect: the line is within the default 80
    assert ours == _cli_lint(sql, tmp_path)


@pytest.mark.timeout(300)
async def test_noqa_still_works(pool: LintPool, tmp_path: Path) -> None:
    quiet = "SELECT a from t  -- noqa: CP01\n"
    loud = await pool.lint("f.sql", "SELECT a from t\n", LintOptions())
    outcome = await pool.lint("f.sql", quiet, LintOptions())
    assert "CP01" in {v.code for v in loud.violations}
    assert "CP01" not in {v.code for v in outcome.violations}
    assert _ours(outcome) == _cli_lint(quiet, tmp_path)
