"""Every failure answered as ``{"error": {"code", "message"}}``, with the registry's status.

Clients branch on ``error.code``, so aiohttp's own 400/404/405/413/415 are
renamed to registered codes too, and an unexpected exception is a 500 that
never leaks a traceback into the body. The status always comes from
``schemas.error_codes``: this module only chooses the code.

``Retry-After`` goes with every answer a client should retry later: a 503 and
a key in flight get the configured seconds, a tenant's limit (429) the seconds
its exception carries, chosen by type so a new limit cannot forget the header.
"""

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ingest.errors import LimitExceededError
from schemas.error_codes import ErrorCode, http_status
from schemas.errors import LintServiceError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]

AIOHTTP_CODES = {
    400: ErrorCode.INVALID_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}


def error_response(code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """The one error body shape of the API."""
    body = {"error": {"code": code.value, "message": message}}
    return web.json_response(body, status=http_status(code), headers=headers)


def _aiohttp_code(status: int) -> ErrorCode:
    known = AIOHTTP_CODES.get(status)
    if known is not None:
        return known
    return ErrorCode.INVALID_REQUEST if status < 500 else ErrorCode.INTERNAL_ERROR


def error_middleware(retry_after_s: int) -> Middleware:
    """The outermost handler wrapper; ``Retry-After`` goes with every answer worth retrying."""
    retry_after = {"Retry-After": str(retry_after_s)}
    # RFC 9110: a 401 names the scheme that would be accepted.
    challenge = {"WWW-Authenticate": 'Bearer realm="sqllint"'}

    @web.middleware
    async def answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except LimitExceededError as exc:
            return error_response(exc.code, exc.message, {"Retry-After": str(exc.retry_after_s)})
        except LintServiceError as exc:
            status = http_status(exc.code)
            retry = status == 503 or exc.code is ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT
            headers = retry_after if retry else challenge if status == 401 else None
            return error_response(exc.code, exc.message, headers)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
            return error_response(_aiohttp_code(exc.status), exc.reason, headers)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return error_response(ErrorCode.INTERNAL_ERROR, "internal error")

    return answer_errors
