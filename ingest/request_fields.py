"""The checks of single request fields, and how a fault becomes the code a client reads.

The request model's checks raise :func:`fault` with a registered code, so
pydantic carries the code through validation untouched; pydantic's own
errors (a wrong type, a rule code failing ``LintOptions``) are named in
:func:`first_fault`. Only the first fault is reported, in field order, as
clients have always seen one error at a time.
"""

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from ingest.errors import RequestRejectedError
from schemas.error_codes import ErrorCode
from schemas.statuses import SubmissionType

_RULE_FIELDS = frozenset({"rules", "exclude_rules"})
# SQLFluff has well under 100 rules: more entries than this is not a rule selection but a load.
MAX_RULES = 200


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


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def flag(value: object, name: str) -> bool:
    """A yes/no option: a JSON boolean, or a form field's text (``true``/``false``, ``1``/``0``, ``on``).

    A form sends every field as text, so ``"false"`` must not be read as a
    truthy string; anything else is refused rather than guessed.
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise fault(ErrorCode.INVALID_REQUEST, f"{name} must be true or false")


def rule_codes(value: object, name: str) -> tuple[str, ...] | None:
    """Comma-separated text or a list, stripped and de-duplicated; ``LintOptions`` judges each code.

    The count is bounded before any entry is judged, so a list of any length costs one check.
    """
    if value is None:
        return None
    if isinstance(value, str):
        items: list[str] = value.split(",", MAX_RULES)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise fault(ErrorCode.INVALID_RULES, f"{name} must be comma-separated rule codes")
    if len(items) > MAX_RULES:
        raise fault(ErrorCode.INVALID_RULES, f"{name} lists more than {MAX_RULES} rules")
    return tuple(dict.fromkeys(code for code in (item.strip() for item in items) if code)) or None


def upload_kind(file_name: str) -> SubmissionType:
    """What an uploaded file is, by its extension (.sql or .zip only)."""
    lowered = file_name.lower()
    if lowered.endswith(".zip"):
        return SubmissionType.ZIP_ARCHIVE
    if lowered.endswith(".sql"):
        return SubmissionType.SINGLE_FILE
    raise RequestRejectedError(ErrorCode.UNSUPPORTED_FILE_TYPE, "upload a .sql or a .zip file")


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
