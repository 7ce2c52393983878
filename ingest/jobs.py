"""Handlers of /api/v1/jobs: submit a job, read one, list them, fetch all results."""

import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any
from uuid import UUID, uuid4

from aiohttp import web

from ingest.db import run_db
from ingest.errors import DatabaseUnavailableError, RequestRejectedError
from ingest.idempotency import check_key
from ingest.intake import Draft
from ingest.params import page_params, path_id, status_param
from ingest.queries import get_job, job_tasks_page, list_jobs, results_after
from ingest.reading import read_json, read_multipart
from ingest.services import SERVICES, Services
from ingest.views import accepted_view, job_view, task_view
from schemas.statuses import JOB_FINAL, JobStatus

RESULTS_BATCH = 200
log = logging.getLogger(__name__)


def status_url(services: Services, request: web.Request, job_id: str) -> str:
    """Where the client polls the job; absolute, from settings or the request."""
    base = services.settings.public_base_url or str(request.url.origin())
    return f"{base.rstrip('/')}/api/v1/jobs/{job_id}"


async def _read_draft(request: web.Request, services: Services, job_id: UUID) -> Draft:
    if request.content_type == "application/json":
        return await read_json(request, services.intake, services.dialects)
    if request.content_type == "multipart/form-data":
        return await read_multipart(request, services.intake, services.dialects, job_id)
    raise RequestRejectedError("UNSUPPORTED_MEDIA_TYPE", "send application/json or multipart/form-data", 415)


async def _release(services: Services, key: str | None, job_id: str) -> None:
    if key is None:
        return
    try:
        await services.keys.release(key, job_id)
    except DatabaseUnavailableError as exc:
        log.warning("idempotency key of failed job %s not released: %s", job_id, exc.message)


async def _accept_once(
    services: Services, request: web.Request, draft: Draft, job_id: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """The answer body and whether it is a replay; the job is published at most once per key."""
    if key is not None:
        replay = await services.keys.claim(key, draft.fingerprint, job_id)
        if replay is not None:
            await services.storage.discard(job_id)
            return replay, True
    try:
        job = await services.intake.materialize(draft, UUID(job_id))
        await services.intake.accept(job)
    except BaseException:
        await _release(services, key, job_id)
        raise
    body = {
        "job_id": job_id,
        "job_status": JobStatus.ACCEPTED.value,
        "submission_type": job.submission_type.value,
        "status_url": status_url(services, request, job_id),
    }
    if key is not None:
        try:
            await services.keys.complete(key, job_id, body)
        except DatabaseUnavailableError as exc:
            log.warning("job %s accepted but its idempotency key not completed: %s", job_id, exc.message)
    return body, False


async def submit_job(request: web.Request) -> web.Response:
    """POST /api/v1/jobs: 202 only once the job is durable on the jobs topic."""
    services = request.app[SERVICES]
    started = services.metrics.timer()
    key = check_key(request.headers.get("Idempotency-Key"))
    job_id = str(uuid4())
    guard: AbstractAsyncContextManager[None] = services.keys.guard(key) if key else nullcontext()
    try:
        draft = await _read_draft(request, services, UUID(job_id))
        async with guard:
            body, replayed = await _accept_once(services, request, draft, job_id, key)
    except BaseException:
        await services.storage.discard(job_id)
        raise
    if not replayed:
        services.metrics.observe_accept(started, body["submission_type"])
    headers = {"Location": body["status_url"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return web.json_response(body, status=202, headers=headers)


async def get_job_status(request: web.Request) -> web.Response:
    """GET /api/v1/jobs/{job_id}: status, tallies and one page of tasks."""
    services = request.app[SERVICES]
    job_id = path_id(request, "job_id")
    page, size = page_params(request)
    row = await run_db(services.engine, get_job, job_id)
    if row is None:
        accepted = services.recent.get(job_id)
        if accepted is None:
            raise RequestRejectedError("JOB_NOT_FOUND", f"no job {job_id}", 404)
        return web.json_response({**accepted_view(accepted), "page": page, "size": size, "tasks": []})
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
    row = await run_db(services.engine, get_job, job_id)
    if row is None:
        if services.recent.get(job_id) is None:
            raise RequestRejectedError("JOB_NOT_FOUND", f"no job {job_id}", 404)
        raise RequestRejectedError("JOB_NOT_FINISHED", "the job is not finished yet", 409)
    if row["status"] not in JOB_FINAL:
        raise RequestRejectedError("JOB_NOT_FINISHED", f"the job is {row['status']}", 409)
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
