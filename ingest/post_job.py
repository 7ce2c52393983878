"""POST /api/v1/jobs: parse the request, let :class:`SubmitJob` accept it, answer 202."""

from uuid import UUID

from aiohttp import web

from ingest.reading import read_request
from ingest.request import idempotency_key
from ingest.services import SERVICES, Services
from ingest.submit import StatusUrl


def status_url(services: Services, request: web.Request) -> StatusUrl:
    """Where a client polls a job: absolute, on the configured base or the request's own."""
    base = (services.settings.public_base_url or str(request.url.origin())).rstrip("/")

    def of(job_id: UUID) -> str:
        return f"{base}/api/v1/jobs/{job_id}"

    return of


async def post_job(request: web.Request) -> web.Response:
    """202 only once the job is durable on the jobs topic, or when replaying that 202."""
    services = request.app[SERVICES]
    started = services.metrics.timer()
    key = idempotency_key(request.headers.get("Idempotency-Key"))
    job_request = await read_request(request, services.storage, services.limits)
    outcome = await services.submit(job_request, key, status_url(services, request))
    headers = {"Location": outcome.answer.status_url}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        services.metrics.observe_accept(started, outcome.answer.submission_type.value)
    return web.json_response(outcome.answer.model_dump(mode="json"), status=202, headers=headers)
