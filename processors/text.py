"""Turning uploaded bytes into SQL text, or a per-file NOT_TEXT failure.

Editors on Windows save SQL as UTF-16 or with a UTF-8 BOM; those are text and
lint normally. Anything else must be strict UTF-8: guessing a legacy code page
would lint garbage and report made-up violations. NUL bytes mean a binary file
that happened to decode, so it is refused as well.
"""

import codecs

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError


class NotTextError(LintServiceError, code=ErrorCode.NOT_TEXT):
    """The file is not SQL text we can read; only this file fails."""


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_sql(data: bytes) -> str:
    """Decode ``data`` as SQL text; raise :class:`NotTextError` when it is not text."""
    encoding, body = "utf-8", data
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom) :]
            break
    try:
        text = body.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        raise NotTextError(f"not valid {encoding} text at byte {exc.start}") from exc
    if "\x00" in text:
        raise NotTextError("contains NUL characters: looks like a binary file")
    return text
