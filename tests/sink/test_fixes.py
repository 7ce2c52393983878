"""A task's fix, materialised by the sink on SQLite and MariaDB; revision 0003 up and down."""

from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

from runtime.db import create_db_engine
from runtime.tables import tasks
from schemas.events import FixOutcome, LintResult
from sink.migrate import downgrade, upgrade
from sink.store import write_batch
from tests.sink._events import LT01, JobEvents

FIX_COLUMNS = ("fixed", "fixed_sql", "fix_diff", "fixed_sql_path", "fix_diff_path")
BIG = "select a from t\n" * 100_000  # 1.6 MB: over MariaDB's TEXT, as a fix may be (LONGTEXT)
INLINE = FixOutcome(fixed=True, fixed_sql="select a\nfrom t\n", diff="--- a/a.sql\n+++ b/a.sql\n")


def _fixes(engine: Engine, events: JobEvents) -> list[dict[str, Any]]:
    query = select(tasks.c.ordinal, *(tasks.c[name] for name in FIX_COLUMNS)).where(
        tasks.c.job_id == str(events.job_id)
    )
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query.order_by(tasks.c.ordinal)).mappings()]


def _with_fix(result: LintResult, fix: FixOutcome) -> LintResult:
    return result.model_copy(update={"fix": fix})


def test_fixes_inline_by_path_and_none_are_stored(engine: Engine) -> None:
    events = JobEvents(("a.sql", "b.sql", "c.sql", "d.sql"))
    by_path = FixOutcome(fixed=True, fixed_sql_path="jobs/x/fixes/b.sql", diff_path="jobs/x/fixes/b.diff")
    big = FixOutcome(fixed=False, fixed_sql=BIG, diff="")
    results = [
        _with_fix(events.success(0, LT01), INLINE),
        _with_fix(events.success(1, LT01), by_path),
        _with_fix(events.success(2), big),
        events.failure(3),
    ]
    write_batch(engine, events.in_order(*results))
    rows = _fixes(engine, events)
    assert rows[0] == {"ordinal": 0, "fixed": True, "fixed_sql": INLINE.fixed_sql, "fix_diff": INLINE.diff,
                       "fixed_sql_path": None, "fix_diff_path": None}
    assert rows[1] == {"ordinal": 1, "fixed": True, "fixed_sql": None, "fix_diff": None,
                       "fixed_sql_path": by_path.fixed_sql_path, "fix_diff_path": by_path.diff_path}
    assert (rows[2]["fixed"], rows[2]["fixed_sql"], rows[2]["fix_diff"]) == (False, BIG, "")
    assert rows[3] == {"ordinal": 3, **dict.fromkeys(FIX_COLUMNS)}


def test_the_first_final_result_keeps_its_fix(engine: Engine) -> None:
    events = JobEvents(("a.sql",))
    first = _with_fix(events.success(0, LT01), INLINE)
    replay = _with_fix(events.success(0), FixOutcome(fixed=False, fixed_sql="other\n", diff=""))
    write_batch(engine, events.in_order(first))
    write_batch(engine, [replay, events.started(0)])
    assert _fixes(engine, events)[0]["fixed_sql"] == INLINE.fixed_sql


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mariadb", marks=pytest.mark.integration)])
def test_revision_0003_adds_and_drops_the_fix_columns_keeping_rows(
    backend: str, sqlite_db_url: str, request: pytest.FixtureRequest
) -> None:
    url = sqlite_db_url if backend == "sqlite" else request.getfixturevalue("mysql_db_url")
    upgrade(url, "0002")
    engine = create_db_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO linting_tasks (task_id, job_id, ordinal, file_name, status, created_at,"
                " updated_at) VALUES ('t1', 'j1', 0, 'a.sql', 'SUCCESS', '2026-01-02', '2026-01-02')"
            ))
        upgrade(url, "0003")
        columns = {c["name"]: c for c in inspect(engine).get_columns("linting_tasks")}
        assert set(FIX_COLUMNS) <= set(columns)
        assert all(columns[name]["nullable"] for name in FIX_COLUMNS)
        if backend == "mariadb":
            assert type(columns["fixed_sql"]["type"]).__name__ == "LONGTEXT"
            assert type(columns["fix_diff"]["type"]).__name__ == "LONGTEXT"
        with engine.connect() as conn:
            row = conn.execute(text("SELECT file_name, fixed, fixed_sql FROM linting_tasks")).one()
        assert tuple(row) == ("a.sql", None, None)
        downgrade(url, "0002")
        inspector = inspect(engine)
        assert not set(FIX_COLUMNS) & {c["name"] for c in inspector.get_columns("linting_tasks")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT file_name FROM linting_tasks")).scalar_one() == "a.sql"
    finally:
        engine.dispose()
