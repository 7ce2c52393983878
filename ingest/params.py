"""Query-string and path parameters, validated into plain values or a 400."""

from uuid import UUID

from aiohttp import web

from ingest.errors import RequestRejectedError
from schemas.statuses import JobStatus

DEFAULT_SIZE = 50
MAX_SIZE = 500


def path_id(request: web.Request, name: str) -> str:
    """A UUID from the path in its canonical text form (the form the tables store)."""
    raw = request.match_info[name]
    try:
        return str(UUID(raw))
    except ValueError as exc:
        raise RequestRejectedError("INVALID_ID", f"{name} is not a UUID") from exc


def _positive_int(request: web.Request, name: str, default: int, maximum: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise RequestRejectedError("INVALID_PAGE", f"{name} must be an integer from 1 to {maximum}")
    return int(raw)


def page_params(request: web.Request) -> tuple[int, int]:
    """``page`` (1-based) and ``size`` (at most 500)."""
    return _positive_int(request, "page", 1, 10**9), _positive_int(request, "size", DEFAULT_SIZE, MAX_SIZE)


def status_param(request: web.Request) -> str | None:
    """An optional job status filter, one of :class:`JobStatus`."""
    raw = request.query.get("status")
    if not raw:
        return None
    try:
        return JobStatus(raw.upper()).value
    except ValueError as exc:
        raise RequestRejectedError("INVALID_STATUS", f"status must be one of {', '.join(JobStatus)}") from exc
