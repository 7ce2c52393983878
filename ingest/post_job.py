"""POST /api/v1/jobs: parse the request, let :class:`SubmitJob` accept it, answer 202."""

from uuid import UUID

from aiohttp import web

from ingest.errors import RequestRejectedError
from ingest.job_slots import job_limits_of
from ingest.principal import principal_of
from ingest.reading import read_request
from ingest.services import SERVICES, Services
from ingest.submit import StatusUrl
from schemas.error_codes import ErrorCode

MAX_KEY_CHARS = 255


def idempotency_key(raw: str | None) -> str | None:
    """The ``Idempotency-Key`` header's value if usable; an empty or oversized key is a client error."""
    if raw is None:
        return None
    key = raw.strip()
    if not 0 < len(key) <= MAX_KEY_CHARS or not key.isprintable():
        raise RequestRejectedError(
            ErrorCode.INVALID_IDEMPOTENCY_KEY, f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters"
        )
    return key


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
    outcome = await services.submit(
        job_request, key, status_url(services, request), principal_of(request).tenant,
        limits=job_limits_of(request),
    )
    headers = {"Location": outcome.answer.status_url}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        services.metrics.observe_accept(started, outcome.answer.submission_type.value)
    return web.json_response(outcome.answer.model_dump(mode="json"), status=202, headers=headers)
