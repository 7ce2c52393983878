import codecs

import pytest

from processors.text import NotTextError, decode_sql
from schemas.errors import LintServiceError

SQL = "SELECT é, 'ü' FROM t\n"


def test_plain_utf8_is_returned_unchanged() -> None:
    assert decode_sql(SQL.encode()) == SQL


def test_utf8_bom_is_stripped() -> None:
    assert decode_sql(codecs.BOM_UTF8 + SQL.encode()) == SQL


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(encoding: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    assert decode_sql(bom + SQL.encode(encoding)) == SQL


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # binary with NUL
        b"SELECT 1\x00",  # valid UTF-8 but contains NUL
        "SELECT 'é'".encode("latin-1"),  # not UTF-8
        SQL.encode("utf-16-le"),  # UTF-16 without BOM is not guessed
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # lone surrogate
    ],
)
def test_non_text_is_rejected_with_not_text(data: bytes) -> None:
    with pytest.raises(NotTextError) as info:
        decode_sql(data)
    assert info.value.code == "NOT_TEXT"
    assert isinstance(info.value, LintServiceError)


def test_empty_file_is_empty_text() -> None:
    assert decode_sql(b"") == ""
