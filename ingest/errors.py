"""The ingest's own exceptions, which carry a registered code and never a status.

``schemas.error_codes`` decides how each code is answered over HTTP, so a code
means the same answer wherever it is raised and a new failure cannot invent a
status of its own.
"""

import math

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


class LimitExceededError(LintServiceError):
    """A tenant used up one of its limits (429); it carries when trying again makes sense.

    The seconds travel with the exception because only the limit knows them (a
    bucket's refill, the next UTC midnight); the error middleware sends them as
    ``Retry-After`` by type, never by code.
    """

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        # Whole seconds (the header's form), rounded first so float noise adds no second; never 0,
        # which would invite a client to spin.
        self.retry_after_s = max(1, math.ceil(round(retry_after_s, 3)))


class RateLimitedError(LimitExceededError, code=ErrorCode.RATE_LIMITED):
    """The tenant's token bucket is empty."""


class TooManyActiveJobsError(LimitExceededError, code=ErrorCode.TOO_MANY_ACTIVE_JOBS):
    """The tenant has as many unfinished jobs as it may."""


class DailyQuotaExceededError(LimitExceededError, code=ErrorCode.DAILY_QUOTA_EXCEEDED):
    """The job's bytes would take the tenant past its bytes for this UTC day."""
