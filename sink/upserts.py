"""Idempotent, order-insensitive upserts of job and task rows, atomic per row.

Several sink workers may write the same row at once (tasks are keyed by task
id, progress and results by job id), so the "never move backwards" rule is
evaluated inside the database, in one ``INSERT ... ON CONFLICT`` (SQLite) or
``INSERT ... ON DUPLICATE KEY UPDATE`` (MySQL/MariaDB) statement per row,
comparing the rank of the stored status with the incoming one.

MySQL evaluates ``ON DUPLICATE KEY UPDATE`` assignments left to right, each
seeing the columns already assigned; so every assignment that reads an old
column comes before the assignment of that column (``status`` last). The
constants of the update clause are inlined, not bound: PyMySQL's
``executemany`` accepts parameters only in the ``VALUES`` part.
"""

import functools
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Executable, Table, and_, case, func, literal_column, or_
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from runtime.rows import Row
from runtime.tables import jobs, tasks
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError
from schemas.statuses import JobStatus, TaskStatus, job_rank, task_rank
from sink.rows import UNKNOWN_SUBMISSION, placeholder_job_row

# Written with the final result, like result_json: the first final result's fix wins.
FIX_COLUMNS = ("fixed", "fixed_sql", "fix_diff", "fixed_sql_path", "fix_diff_path")
Assignments = list[tuple[str, ColumnElement]]
# Given the incoming row's columns, the ordered SET clause of the conflict update.
Incoming = ReadOnlyColumnCollection[str, ColumnElement]
UpdatePlan = Callable[[Incoming], Assignments]


class UnsupportedDatabaseError(LintServiceError, code=ErrorCode.UNSUPPORTED_DATABASE):
    """The sink writes SQLite and MySQL/MariaDB only."""


def _const(value: str | int) -> ColumnElement:
    """An inlined constant; only our own status names and small integers come here."""
    if isinstance(value, int):
        return literal_column(str(int(value)))
    if not value.replace("_", "").isalnum() and value:
        raise ValueError(f"refusing to inline {value!r}")
    return literal_column(f"'{value}'")


def _rank_sql(column: ColumnElement, ranks: dict[str, int]) -> ColumnElement:
    """SQL twin of ``schemas.statuses.*_rank``: unknown text ranks below everything."""
    whens = [(column == _const(status), _const(rank)) for status, rank in ranks.items()]
    return case(*whens, else_=_const(-1))


def job_rank_sql(column: ColumnElement) -> ColumnElement:
    """``schemas.statuses.job_rank`` evaluated by the database."""
    return _rank_sql(column, {status.value: job_rank(status) for status in JobStatus})


def task_rank_sql(column: ColumnElement) -> ColumnElement:
    """``schemas.statuses.task_rank`` evaluated by the database."""
    return _rank_sql(column, {status.value: task_rank(status) for status in TaskStatus})


def _keep_job(_new: Incoming) -> Assignments:
    """A no-op update: on MySQL it still takes the row's write lock, which is the point."""
    key = jobs.c.job_id
    return [(key.name, key)]


@functools.cache
def _statement(dialect: str, table: Table, plan: UpdatePlan) -> Executable:
    """The upsert of ``table`` for ``dialect``, built once: building it took a sixth of the sink's CPU."""
    if dialect == "sqlite":
        lite = sqlite.insert(table)
        key = [column.name for column in table.primary_key.columns]
        return lite.on_conflict_do_update(index_elements=key, set_=dict(plan(lite.excluded)))
    if dialect in ("mysql", "mariadb"):
        my = mysql.insert(table)
        return my.on_duplicate_key_update(plan(my.inserted))
    raise UnsupportedDatabaseError(f"no upsert for the {dialect!r} dialect")


def _upsert(conn: Connection, table: Table, rows: list[Row], plan: UpdatePlan) -> None:
    if rows:
        conn.execute(_statement(conn.dialect.name, table, plan), rows)


def _job_plan(new: Incoming) -> Assignments:
    old = jobs.c
    advance = job_rank_sql(new.status) > job_rank_sql(old.status)
    describe = and_(
        old.submission_type == _const(UNKNOWN_SUBMISSION), new.submission_type != _const(UNKNOWN_SUBMISSION)
    )
    counted = and_(old.task_count.is_(None), new.task_count.is_not(None))

    def if_(condition: ColumnElement, name: str) -> tuple[str, ColumnElement]:
        return name, case((condition, getattr(new, name)), else_=getattr(old, name))

    return [
        if_(describe, "source_name"),
        if_(describe, "options_json"),
        if_(describe, "created_at"),
        if_(describe, "tenant"),
        if_(describe, "callback_url"),
        if_(or_(advance, describe, counted), "updated_at"),
        if_(advance, "error_code"),
        if_(advance, "error_message"),
        if_(advance, "finished_at"),
        ("task_count", func.coalesce(old.task_count, new.task_count)),
        if_(describe, "submission_type"),
        if_(advance, "status"),
    ]


def _task_plan(new: Incoming) -> Assignments:
    old = tasks.c
    advance = task_rank_sql(new.status) > task_rank_sql(old.status)

    def if_(condition: ColumnElement, name: str) -> tuple[str, ColumnElement]:
        return name, case((condition, getattr(new, name)), else_=getattr(old, name))

    return [
        if_(old.ordinal < _const(0), "ordinal"),
        if_(old.file_name == _const(""), "file_name"),
        ("started_at", case((advance, func.coalesce(old.started_at, new.started_at)), else_=old.started_at)),
        if_(advance, "violation_count"),
        if_(advance, "result_json"),
        if_(advance, "error_code"),
        if_(advance, "error_message"),
        *(if_(advance, name) for name in FIX_COLUMNS),
        if_(advance, "finished_at"),
        if_(or_(advance, new.attempts > old.attempts), "updated_at"),
        ("attempts", case((new.attempts > old.attempts, new.attempts), else_=old.attempts)),
        if_(advance, "status"),
    ]


def ensure_jobs(conn: Connection, job_ids: Collection[str], now: datetime) -> None:
    """Make the job rows exist and hold their write locks, taken in id order.

    Locking a job before its tasks makes concurrent writers of one job queue on
    one row instead of deadlocking over its task rows (see ``sink.tallies``);
    inserting first avoids the gap locks that locking an absent row would take.
    """
    _upsert(conn, jobs, [placeholder_job_row(job_id, now) for job_id in sorted(job_ids)], _keep_job)


def upsert_jobs(conn: Connection, rows: list[Row]) -> None:
    """Insert job rows, or merge them into existing ones without moving a status back."""
    _upsert(conn, jobs, rows, _job_plan)


def upsert_tasks(conn: Connection, rows: list[Row]) -> None:
    """Insert task rows, or merge them: first final result wins, names fill in when missing."""
    _upsert(conn, tasks, rows, _task_plan)
