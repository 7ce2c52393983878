"""The ingest's own error types and how every error becomes a JSON answer.

Clients branch on ``error.code``, so every failure, including aiohttp's own
404/405/413, is rendered in the same ``{"error": {"code", "message"}}`` shape,
and an unexpected exception never leaks a traceback into the body.
"""

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from runtime.kafka_admin import KafkaUnavailableError
from schemas.errors import LintServiceError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class RequestRejectedError(LintServiceError):
    """The request cannot be served as sent; ``status`` is the HTTP answer."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message, code=code)
        self.status = status


class DatabaseUnavailableError(LintServiceError):
    """The job database did not answer; the request may be retried."""

    code = "DATABASE_UNAVAILABLE"


class RetryLaterError(LintServiceError):
    """A transient conflict (e.g. the same idempotency key is being served now)."""

    code = "RETRY_LATER"


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The one error body shape of the API."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


def _status_of(exc: LintServiceError) -> int:
    if isinstance(exc, RequestRejectedError):
        return exc.status
    if isinstance(exc, KafkaUnavailableError | DatabaseUnavailableError):
        return 503
    if isinstance(exc, RetryLaterError):
        return 409
    return 400


def make_error_middleware(
    retry_after_s: int,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Middleware mapping exception types to statuses; the outermost one."""

    @web.middleware
    async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except LintServiceError as exc:
            status = _status_of(exc)
            headers = (
                {"Retry-After": str(retry_after_s)}
                if status in {503, 409} and not isinstance(exc, RequestRejectedError)
                else None
            )
            return error_response(status, exc.code, exc.message, headers)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            code = _HTTP_CODES.get(exc.status, f"HTTP_{exc.status}")
            headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
            return error_response(exc.status, code, exc.reason, headers)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return error_response(500, "INTERNAL_ERROR", "internal error")

    return error_middleware
