"""Revision 0002 renames the tables to the plan's names and adds attempts, keeping every row."""

import pytest
from sqlalchemy import Engine, text

from runtime.db import create_db_engine
from sink.migrate import downgrade, upgrade

JOB = "11111111-1111-4111-8111-111111111111"
TASK = "22222222-2222-4222-8222-222222222222"
NOW = "2026-01-02 03:04:05"


def _seed_at_0001(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jobs (job_id, submission_type, status, options_json, tasks_succeeded,"
                " tasks_failed, violation_count, created_at, updated_at)"
                " VALUES (:id, 'SINGLE_FILE', 'COMPLETED', '{}', 1, 0, 2, :now, :now)"
            ),
            {"id": JOB, "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO tasks (task_id, job_id, ordinal, file_name, status, violation_count,"
                " result_json, created_at, updated_at)"
                " VALUES (:id, :job, 0, 'a.sql', 'SUCCESS', 2, '{\"filepath\": \"a.sql\"}', :now, :now)"
            ),
            {"id": TASK, "job": JOB, "now": NOW},
        )


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_existing_rows_survive_the_rename_both_ways(
    backend: str, sqlite_db_url: str, request: pytest.FixtureRequest
) -> None:
    url = sqlite_db_url if backend == "sqlite" else request.getfixturevalue("mysql_db_url")
    upgrade(url, "0001")
    engine = create_db_engine(url)
    try:
        _seed_at_0001(engine)
        upgrade(url, "0002")
        with engine.connect() as conn:
            job = conn.execute(text("SELECT status, violation_count FROM linting_jobs")).one()
            task = conn.execute(
                text("SELECT task_id, file_name, attempts, result_json FROM linting_tasks")
            ).one()
        assert tuple(job) == ("COMPLETED", 2)
        assert tuple(task) == (TASK, "a.sql", 1, '{"filepath": "a.sql"}')
        downgrade(url, "0001")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT file_name FROM tasks")).scalar_one() == "a.sql"
            assert conn.execute(text("SELECT status FROM jobs")).scalar_one() == "COMPLETED"
    finally:
        engine.dispose()
