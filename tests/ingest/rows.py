"""Writing jobs and tasks rows the way the sink would, for read-path tests."""

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlfluff
from sqlalchemy import Table, func, insert, select

from runtime.db import create_db_engine
from runtime.tables import jobs, tasks

T0 = datetime(2025, 1, 2, 3, 4, 5)


def count(db_url: str, table: Table) -> int:
    """Rows in ``table`` now: what a POST did or did not write."""
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


def lint_record(file_name: str, sql: str) -> dict[str, Any]:
    """The record of one file as ``sqlfluff lint --format json`` shapes it."""
    return {"filepath": file_name, "violations": sqlfluff.lint(sql, dialect="ansi")}


def add_job(db_url: str, status: str, *, created: datetime = T0, task_count: int | None = None) -> str:
    job_id = str(uuid.uuid4())
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            insert(jobs).values(
                job_id=job_id,
                submission_type="ZIP_ARCHIVE",
                status=status,
                source_name="bundle.zip",
                options_json="{}",
                task_count=task_count,
                tasks_succeeded=0,
                tasks_failed=0,
                violation_count=0,
                created_at=created,
                updated_at=created,
            )
        )
    engine.dispose()
    return job_id


def add_task(
    db_url: str, job_id: str, ordinal: int, status: str, record: dict[str, Any] | None = None
) -> str:
    task_id = str(uuid.uuid4())
    engine = create_db_engine(db_url)
    finished = T0 + timedelta(seconds=ordinal + 1) if record is not None else None
    error = record.get("error") if record else None
    with engine.begin() as conn:
        conn.execute(
            insert(tasks).values(
                task_id=task_id,
                job_id=job_id,
                ordinal=ordinal,
                file_name=f"f{ordinal}.sql",
                status=status,
                violation_count=len(record["violations"]) if record else None,
                result_json=json.dumps(record) if record is not None else None,
                error_code=error["code"] if error else None,
                error_message=error["message"] if error else None,
                created_at=T0,
                finished_at=finished,
                updated_at=finished or T0,
            )
        )
    engine.dispose()
    return task_id
