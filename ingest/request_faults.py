"""How a fault in a request becomes the code and message the client reads.

The request model's checks raise :func:`fault` with a registered code, so
pydantic carries the code through validation untouched; pydantic's own
errors (a wrong type, a length, a rule code failing ``LintOptions``) are
named here. Only the first fault is reported, in field order, as clients have
always seen one error at a time.
"""

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from ingest.errors import RequestRejectedError
from schemas.error_codes import ErrorCode

_RULE_FIELDS = frozenset({"rules", "exclude_rules"})


def fault(code: ErrorCode, message: str) -> PydanticCustomError:
    """A validation error that keeps ``code``; the message is never read as a template."""
    return PydanticCustomError(code.value, "{message}", {"message": message})


def unicode_text(text: str, name: str) -> str:
    """Text that can be written to a file, an event and a table: UTF-8, no lone surrogates."""
    try:
        text.encode()
    except UnicodeEncodeError:
        raise fault(ErrorCode.INVALID_REQUEST, f"{name} is not valid Unicode text") from None
    return text


def text_or_none(value: object, name: str) -> str | None:
    """An optional text field of the request."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise fault(ErrorCode.INVALID_REQUEST, f"{name} must be a string")
    return unicode_text(value, name)


def first_fault(exc: ValidationError) -> RequestRejectedError:
    """The first fault of a request, under the code a client branches on."""
    error = exc.errors(include_url=False)[0]
    if error["type"] in ErrorCode.__members__:
        return RequestRejectedError(ErrorCode(error["type"]), error["msg"])
    names = [part for part in error["loc"] if isinstance(part, str)]
    field = names[-1] if names else "body"
    if field in _RULE_FIELDS:
        shown = str(error["input"])[:80]
        return RequestRejectedError(ErrorCode.INVALID_RULES, f"{field}: not a rule code: {shown!r}")
    if error["type"] == "string_type":
        return RequestRejectedError(ErrorCode.INVALID_REQUEST, f"{field} must be a string")
    return RequestRejectedError(ErrorCode.INVALID_REQUEST, f"{field}: {error['msg']}")
