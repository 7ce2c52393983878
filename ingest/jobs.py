"""Handlers of GET /api/v1/jobs: one job, the list, all results of a finished job (in any report format).

Every read is the caller's tenant's (:func:`ingest.params.read_scope`): another
tenant's job answers JOB_NOT_FOUND with the very body of an unknown id.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from importlib.metadata import version
from uuid import UUID

from aiohttp import web

import reports
from ingest.db import run_db
from ingest.errors import RequestRejectedError
from ingest.params import list_scope, page_params, path_id, read_scope, status_param
from ingest.queries import Tenant, get_job, job_tasks_page, list_jobs, results_after
from ingest.services import SERVICES, Services
from ingest.views import Row, job_view, not_found, task_view
from schemas.error_codes import ErrorCode
from schemas.statuses import JOB_FINAL

RESULTS_BATCH = 200
# The reports name the linter: the SQLFluff this service is installed with (the processors' image).
SQLFLUFF_VERSION = version("sqlfluff")


async def _job_row(services: Services, job_id: UUID, tenant: Tenant) -> Row:
    """The job's row, or the first row of a job accepted here whose row is not written yet."""
    row = await run_db(services.engine, get_job, job_id, tenant) or services.accepted.row(job_id, tenant)
    if row is None:
        raise not_found(ErrorCode.JOB_NOT_FOUND)
    return row


async def get_job_status(request: web.Request) -> web.Response:
    """GET /api/v1/jobs/{job_id}: status, tallies and one page of tasks."""
    services = request.app[SERVICES]
    job_id, tenant = path_id(request, "job_id"), read_scope(request)
    page, size = page_params(request)
    row = await _job_row(services, job_id, tenant)
    tasks = await run_db(services.engine, job_tasks_page, job_id, tenant, (page - 1) * size, size)
    body = {**job_view(row), "page": page, "size": size, "tasks": [task_view(t) for t in tasks]}
    return web.json_response(body)


async def list_all_jobs(request: web.Request) -> web.Response:
    """GET /api/v1/jobs: the caller's tenant's jobs, newest first, by status (an admin's: by tenant)."""
    services = request.app[SERVICES]
    tenant, status = list_scope(request), status_param(request)
    page, size = page_params(request)
    rows, total = await run_db(services.engine, list_jobs, tenant, status, (page - 1) * size, size)
    return web.json_response(
        {"jobs": [job_view(r) for r in rows], "page": page, "size": size, "total": total}
    )


def _report_format(request: web.Request) -> str:
    """``?format=``, ``json`` when absent or empty; a name outside ``reports.FORMATS`` is a 400."""
    fmt = request.query.get("format", "").strip().lower() or "json"
    if fmt not in reports.FORMATS:
        raise RequestRejectedError(
            ErrorCode.INVALID_REPORT_FORMAT, f"format must be one of {', '.join(reports.FORMATS)}"
        )
    return fmt


async def _stored_results(services: Services, job_id: UUID, tenant: Tenant) -> AsyncIterator[str]:
    """Every file's stored record (JSON text) in file order, read in batches so memory stays flat."""
    after: tuple[int, str] | None = None
    while batch := await run_db(services.engine, results_after, job_id, tenant, after, RESULTS_BATCH):
        for ordinal, task_id, result_json in batch:
            after = (ordinal, task_id)
            if result_json is not None:
                yield result_json


async def _report(services: Services, job_id: UUID, tenant: Tenant, fmt: str) -> web.Response:
    """The records rendered off the event loop (a big job's SARIF takes a while), saved as a file."""
    records = [json.loads(text) async for text in _stored_results(services, job_id, tenant)]
    body = await asyncio.to_thread(reports.render, fmt, records, tool_version=SQLFLUFF_VERSION)
    spec = reports.FORMATS[fmt]
    disposition = f'attachment; filename="sqllint-{job_id}.{spec.extension}"'
    return web.Response(text=body, content_type=spec.media_type, charset="utf-8",
                        headers={"Content-Disposition": disposition})


async def get_job_results(request: web.Request) -> web.StreamResponse:
    """GET /api/v1/jobs/{job_id}/results: every file's record streamed in file order, or a report.

    ``?format=sarif|junit|github|gitlab|checkstyle|human`` renders the records
    with :mod:`reports` (what the ``sqllint`` command prints for the same job);
    the default ``json`` streams the stored records as they are.
    """
    services = request.app[SERVICES]
    job_id, tenant = path_id(request, "job_id"), read_scope(request)
    fmt = _report_format(request)
    row = await _job_row(services, job_id, tenant)
    if row["status"] not in JOB_FINAL:
        raise RequestRejectedError(ErrorCode.JOB_NOT_FINISHED, f"the job is {row['status']}")
    if fmt != "json":
        return await _report(services, job_id, tenant, fmt)
    response = web.StreamResponse(headers={"Content-Type": "application/json; charset=utf-8"})
    await response.prepare(request)
    await response.write(b"[")
    first = True
    async for result_json in _stored_results(services, job_id, tenant):
        await response.write((b"" if first else b",") + result_json.encode())
        first = False
    await response.write(b"]")
    await response.write_eof()
    return response
