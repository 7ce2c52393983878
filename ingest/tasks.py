"""Handlers of /api/v1/tasks: one file's status, its stored lint record, and its fix.

A task is its job's tenant's: another tenant's task answers TASK_NOT_FOUND
with the very body of an unknown id.
"""

from aiohttp import web

from ingest.db import run_db
from ingest.errors import RequestRejectedError
from ingest.fixes import check_answerable, fix_view, get_task_fix
from ingest.params import path_id, read_scope
from ingest.queries import get_task
from ingest.services import SERVICES
from ingest.views import Row, not_found, task_view
from schemas.error_codes import ErrorCode
from schemas.statuses import TASK_FINAL


async def _task(request: web.Request) -> Row:
    task_id = path_id(request, "task_id")
    row = await run_db(request.app[SERVICES].engine, get_task, task_id, read_scope(request))
    if row is None:
        raise not_found(ErrorCode.TASK_NOT_FOUND)
    return row


async def get_task_status(request: web.Request) -> web.Response:
    """GET /api/v1/tasks/{task_id}."""
    row = await _task(request)
    return web.json_response({**task_view(row), "job_id": row["job_id"]})


async def get_task_result(request: web.Request) -> web.Response:
    """GET /api/v1/tasks/{task_id}/result: the record exactly as the sink stored it."""
    row = await _task(request)
    if row["status"] not in TASK_FINAL or row["result_json"] is None:
        raise RequestRejectedError(ErrorCode.TASK_NOT_FINISHED, f"the task is {row['status']}")
    return web.Response(text=row["result_json"], content_type="application/json")


async def get_task_fix_result(request: web.Request) -> web.Response:
    """GET /api/v1/tasks/{task_id}/fix: the file's fixed SQL and unified diff (see docs/fixes.md)."""
    task_id = path_id(request, "task_id")
    services = request.app[SERVICES]
    row = await run_db(services.engine, get_task_fix, task_id, read_scope(request))
    if row is None:
        raise not_found(ErrorCode.TASK_NOT_FOUND)
    check_answerable(row)
    return web.json_response(await fix_view(row, services.storage))
