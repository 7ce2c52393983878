"""The fix of one task (``GET /api/v1/tasks/{task_id}/fix``): its row, and large fixes read back from storage.

Whether fixes were asked is the job's option (``options_json``), known from
the start, so a client learns FIX_NOT_REQUESTED at once instead of waiting
for the task to end; a task that already carries a fix was asked for one
whatever the job row says (an outside producer's job may be described late).
The task is found through its job's tenant, as every read of the API is.
"""

import asyncio
import json
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from ingest.errors import RequestRejectedError
from ingest.queries import TASKS_OF_JOBS, Tenant, owned_by
from ingest.storage import Storage
from runtime.tables import jobs, tasks
from schemas.error_codes import ErrorCode
from schemas.statuses import TASK_FINAL, TaskStatus

Row = dict[str, Any]
_NO_FIX = "no fix was recorded for this file"
_COLUMNS = (
    tasks.c.task_id,
    tasks.c.file_name,
    tasks.c.status,
    tasks.c.error_code,
    tasks.c.error_message,
    tasks.c.fixed,
    tasks.c.fixed_sql,
    tasks.c.fix_diff,
    tasks.c.fixed_sql_path,
    tasks.c.fix_diff_path,
    jobs.c.options_json,
)


def get_task_fix(conn: Connection, task_id: UUID, tenant: Tenant) -> Row | None:
    """One task's fix columns with its job's options, or None when there is no such task of ``tenant``'s."""
    mine = (tasks.c.task_id == str(task_id), owned_by(tenant))
    query = select(*_COLUMNS).select_from(TASKS_OF_JOBS).where(*mine)
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def fix_requested(row: Row) -> bool:
    """The job asked for fixes, or the task has one."""
    try:
        options = json.loads(row["options_json"] or "{}")
    except ValueError:
        options = {}
    return row["fixed"] is not None or (isinstance(options, dict) and options.get("fix") is True)


def _read(storage: Storage, relpath: str) -> str:
    path = (storage.root / relpath).resolve()
    if not path.is_relative_to(storage.root):  # the path came over a topic: never trust it to stay inside
        raise RequestRejectedError(ErrorCode.UNSAFE_PATH, "the fix's path leads outside the storage root")
    try:
        return path.read_bytes().decode("utf-8", "surrogatepass")  # as the processors wrote it
    except FileNotFoundError as exc:
        gone = "the fix is no longer on the storage root"
        raise RequestRejectedError(ErrorCode.FILE_NOT_FOUND, gone) from exc


async def fix_view(row: Row, storage: Storage) -> Row:
    """The endpoint's answer for a final task of a job that asked for fixes.

    A FAILURE task has no fix: it answers its ``error`` as ``/result`` does
    (present only then), with ``fixed: false`` and null texts, so no client
    can mistake it for an empty file to write back.
    """
    view: Row = {"task_id": row["task_id"], "file_name": row["file_name"]}
    if row["status"] != TaskStatus.SUCCESS.value or row["fixed"] is None:
        error = {"code": row["error_code"] or "LINT_ERROR", "message": row["error_message"] or _NO_FIX}
        return {**view, "fixed": False, "fixed_sql": None, "diff": None, "error": error}
    fixed_sql, diff = row["fixed_sql"], row["fix_diff"]
    if fixed_sql is None:
        fixed_sql = await asyncio.to_thread(_read, storage, row["fixed_sql_path"])
    if diff is None:
        diff = await asyncio.to_thread(_read, storage, row["fix_diff_path"])
    return {**view, "fixed": bool(row["fixed"]), "fixed_sql": fixed_sql, "diff": diff}


def check_answerable(row: Row) -> None:
    """FIX_NOT_REQUESTED first (it never changes), then TASK_NOT_FINISHED until the task is final."""
    if not fix_requested(row):
        not_asked = 'the task\'s job did not ask for fixes ("fix": true)'
        raise RequestRejectedError(ErrorCode.FIX_NOT_REQUESTED, not_asked)
    if row["status"] not in TASK_FINAL:
        raise RequestRejectedError(ErrorCode.TASK_NOT_FINISHED, f"the task is {row['status']}")
