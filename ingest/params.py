"""Query-string and path parameters, validated into typed values or a 400; and whose objects a read sees."""

from uuid import UUID

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from ingest.errors import RequestRejectedError
from ingest.principal import principal_of
from schemas.error_codes import ErrorCode
from schemas.events import TenantName
from schemas.statuses import JobStatus

_TENANT: TypeAdapter[str] = TypeAdapter(TenantName)

DEFAULT_SIZE = 50
MAX_SIZE = 500
MAX_PAGE = 10**9


def path_id(request: web.Request, name: str) -> UUID:
    """A job or task id from the path."""
    try:
        return UUID(request.match_info[name])
    except ValueError as exc:
        raise RequestRejectedError(ErrorCode.INVALID_ID, f"{name} is not a UUID") from exc


def _positive_int(request: web.Request, name: str, default: int, maximum: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        value = int(raw) if raw.isascii() and raw.isdigit() else 0
    except ValueError:  # more digits than int() converts
        value = 0
    if not 1 <= value <= maximum:
        raise RequestRejectedError(ErrorCode.INVALID_PAGE, f"{name} must be an integer from 1 to {maximum}")
    return value


def page_params(request: web.Request) -> tuple[int, int]:
    """``page`` (1-based) and ``size`` (at most 500)."""
    return _positive_int(request, "page", 1, MAX_PAGE), _positive_int(request, "size", DEFAULT_SIZE, MAX_SIZE)


def status_param(request: web.Request) -> JobStatus | None:
    """An optional job status filter."""
    raw = request.query.get("status")
    if not raw:
        return None
    try:
        return JobStatus(raw.upper())
    except ValueError as exc:
        raise RequestRejectedError(
            ErrorCode.INVALID_STATUS, f"status must be one of {', '.join(JobStatus)}"
        ) from exc


def read_scope(request: web.Request) -> str | None:
    """The tenant whose objects this caller reads: its own, or None (every tenant's) for an admin."""
    principal = principal_of(request)
    return None if principal.all_tenants else principal.tenant


def list_scope(request: web.Request) -> str | None:
    """:func:`read_scope`, narrowed by ``?tenant=``, which only an admin may set to another tenant.

    A non-admin naming another tenant is FORBIDDEN whatever the name, so the
    answer does not tell which tenants exist.
    """
    scope = read_scope(request)
    raw = request.query.get("tenant")
    if not raw:
        return scope
    try:
        wanted = _TENANT.validate_python(raw)
    except ValidationError as exc:
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, "tenant is not a tenant name") from exc
    if scope is not None and wanted != scope:
        raise RequestRejectedError(ErrorCode.FORBIDDEN, "only an admin lists another tenant's jobs")
    return wanted
