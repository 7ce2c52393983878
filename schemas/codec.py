"""JSON encoding of events, validated on the way in and out of Kafka.

Decoding picks the class from ``event_type`` and ``schema_version`` inside the
payload, so one topic may carry several event kinds and several versions.
"""

from typing import TypeVar, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from schemas.error_codes import ErrorCode
from schemas.errors import SchemaError
from schemas.events import Record
from schemas.routing import ROUTES

# Every event the routing table knows, by its wire name and version.
EVENT_TYPES: dict[tuple[str, int], type[Record]] = {
    (cls.model_fields["event_type"].default, cls.model_fields["schema_version"].default): cls
    for cls in ROUTES
}
_ROUTED = frozenset(EVENT_TYPES.values())
E = TypeVar("E", bound=BaseModel)
_HEADER = TypeAdapter(dict[str, object])


def encode(event: Record) -> bytes:
    """Serialise an event to compact UTF-8 JSON."""
    return event.model_dump_json(exclude_none=False).encode()


def decode(data: bytes | str, *expected: type[E]) -> E:
    """Parse and validate bytes as one of the ``expected`` event classes.

    Raises :class:`SchemaError` for anything that is not valid JSON, names an
    unknown type or version, fails validation, or is not among ``expected``.

    One expected class (a topic of one event kind, such as the tasks topic) is
    tried first in one pass, straight from the bytes, as fully validated as
    the general path; only a message it rejects takes the general path, which
    then says why with the right code.
    """
    if len(expected) == 1 and expected[0] in _ROUTED:
        try:
            return expected[0].model_validate_json(data)
        except ValidationError:
            pass  # the general path names the failure
    try:
        header = _HEADER.validate_json(data)
    except ValidationError as exc:
        raise SchemaError(
            f"not a JSON object: {_first_error(exc)}", code=ErrorCode.UNDECODABLE_EVENT
        ) from exc
    key = (str(header.get("event_type")), _as_int(header.get("schema_version")))
    cls = EVENT_TYPES.get(key)
    if cls is None:
        raise SchemaError(f"unknown event_type/schema_version {key!r}", code=ErrorCode.UNKNOWN_EVENT_TYPE)
    if expected and cls not in expected:
        raise SchemaError(f"unexpected event {key!r} on this topic", code=ErrorCode.UNEXPECTED_EVENT_TYPE)
    try:
        event = cls.model_validate(header)
    except ValidationError as exc:
        raise SchemaError(f"invalid {key[0]}: {_first_error(exc)}", code=ErrorCode.INVALID_EVENT) from exc
    return cast(E, event)


def _as_int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err['msg']}" if where else err["msg"]
