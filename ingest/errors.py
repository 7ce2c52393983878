"""The ingest's own exceptions, which carry a registered code and never a status.

``schemas.error_codes`` decides how each code is answered over HTTP, so a code
means the same answer wherever it is raised and a new failure cannot invent a
status of its own.
"""

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError


class RequestRejectedError(LintServiceError):
    """The request cannot be served as sent; its code tells the client why."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message, code=code)


class StorageUnavailableError(LintServiceError, code=ErrorCode.STORAGE_UNAVAILABLE):
    """The storage root refused a write (full, read-only, gone): the service's failure, retried later."""


class DatabaseUnavailableError(LintServiceError, code=ErrorCode.DATABASE_UNAVAILABLE):
    """The job database did not answer; the request may be retried."""
