"""Handlers of GET /api/v1/jobs: one job, the list, all results of a finished job."""

from uuid import UUID

from aiohttp import web

from ingest.db import run_db
from ingest.errors import RequestRejectedError
from ingest.params import page_params, path_id, status_param
from ingest.queries import get_job, job_tasks_page, list_jobs, results_after
from ingest.services import SERVICES, Services
from ingest.views import Row, job_view, task_view
from schemas.error_codes import ErrorCode
from schemas.statuses import JOB_FINAL

RESULTS_BATCH = 200


async def _job_row(services: Services, job_id: UUID) -> Row:
    """The job's row, or the first row of a job accepted here whose row is not written yet."""
    row = await run_db(services.engine, get_job, job_id) or services.accepted.row(job_id)
    if row is None:
        raise RequestRejectedError(ErrorCode.JOB_NOT_FOUND, f"no job {job_id}")
    return row


async def get_job_status(request: web.Request) -> web.Response:
    """GET /api/v1/jobs/{job_id}: status, tallies and one page of tasks."""
    services = request.app[SERVICES]
    job_id = path_id(request, "job_id")
    page, size = page_params(request)
    row = await _job_row(services, job_id)
    tasks = await run_db(services.engine, job_tasks_page, job_id, (page - 1) * size, size)
    body = {**job_view(row), "page": page, "size": size, "tasks": [task_view(t) for t in tasks]}
    return web.json_response(body)


async def list_all_jobs(request: web.Request) -> web.Response:
    """GET /api/v1/jobs: newest first, optionally by status."""
    services = request.app[SERVICES]
    status = status_param(request)
    page, size = page_params(request)
    rows, total = await run_db(services.engine, list_jobs, status, (page - 1) * size, size)
    return web.json_response(
        {"jobs": [job_view(r) for r in rows], "page": page, "size": size, "total": total}
    )


async def get_job_results(request: web.Request) -> web.StreamResponse:
    """GET /api/v1/jobs/{job_id}/results: every file's record, streamed in file order."""
    services = request.app[SERVICES]
    job_id = path_id(request, "job_id")
    row = await _job_row(services, job_id)
    if row["status"] not in JOB_FINAL:
        raise RequestRejectedError(ErrorCode.JOB_NOT_FINISHED, f"the job is {row['status']}")
    response = web.StreamResponse(headers={"Content-Type": "application/json; charset=utf-8"})
    await response.prepare(request)
    await response.write(b"[")
    after: tuple[int, str] | None = None
    first = True
    while batch := await run_db(services.engine, results_after, job_id, after, RESULTS_BATCH):
        for ordinal, task_id, result_json in batch:
            after = (ordinal, task_id)
            if result_json is None:
                continue
            await response.write((b"" if first else b",") + result_json.encode())
            first = False
    await response.write(b"]")
    await response.write_eof()
    return response
