"""The one exception tree of the project, and its one wire form.

Every service raises subclasses of :class:`LintServiceError`, so a caller can
catch "anything we raised on purpose" by type, and an HTTP layer can map a
code to a status (``schemas.error_codes``) without reading message text.
:func:`error_info` is the only way an error becomes the ``{code, message}``
of a FAILURE task, a rejected job or a dead letter, so every message is cut
by the same rule.
"""

from schemas.error_codes import ErrorCode
from schemas.events import ErrorInfo

# ErrorInfo.message's own limit, in characters (what the JSON Schema says).
MAX_MESSAGE_CHARS = 4096


class LintServiceError(Exception):
    """Root of every error this project raises on purpose."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init_subclass__(cls, code: ErrorCode | None = None, **kwargs: object) -> None:
        """A subclass names its code in its declaration: ``class X(LintServiceError, code=...)``."""
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class SchemaError(LintServiceError, code=ErrorCode.INVALID_EVENT):
    """Bytes from Kafka (or a body) that are not a valid event of a known version."""


def failure(code: ErrorCode, message: str) -> ErrorInfo:
    """The wire form of a failure that is a condition, not an exception (a file too large, not text)."""
    return ErrorInfo(code=code, message=message[:MAX_MESSAGE_CHARS])


def error_info(exc: BaseException, code: ErrorCode | None = None) -> ErrorInfo:
    """The wire form of ``exc``, under its own code unless ``code`` overrides it.

    Anything that is not ours is named by its type: a bug, reported without
    hiding which one.
    """
    if isinstance(exc, LintServiceError):
        return failure(code or exc.code, exc.message)
    return failure(code or ErrorCode.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
