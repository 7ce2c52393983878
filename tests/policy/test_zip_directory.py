"""The ZIP policy's checks of the directory itself: overlapping entries and lying end records."""

import struct
import zipfile
from pathlib import Path

import pytest

from faults.zipcraft import (
    CD_OFFSET,
    make_zip,
    patch_central,
    patch_end_record_count,
    sql_text,
)
from policy.zip_policy import (
    ZipLimits,
)
from tests.policy.archives import rejected_code


def test_entries_sharing_a_local_header_are_overlapping(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "overlap.zip", [("a.sql", sql_text(1000)), ("b.sql", sql_text(1000, 1))])
    patch_central(path, 1, CD_OFFSET, "<I", 0)

    assert rejected_code(path) == "ZIP_OVERLAPPING_ENTRIES"


def test_entries_overlapping_inside_compressed_data_are_overlapping(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "overlap.zip", [("a.sql", sql_text(5000)), ("b.sql", sql_text(5000, 1))])
    patch_central(path, 1, CD_OFFSET, "<I", 200)

    assert rejected_code(path) == "ZIP_OVERLAPPING_ENTRIES"


def test_limits_reject_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        ZipLimits.model_validate({"max_entries": 5, "max_depth": 2})


def test_entry_count_is_refused_from_the_end_record_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_zip(tmp_path / "many.zip", [("a.sql", b"select 1;\n")])
    patch_end_record_count(path, 60_000)

    def no_parse(*_args: object) -> None:
        raise AssertionError("the directory must not be parsed")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", no_parse)

    assert rejected_code(path) == "ZIP_TOO_MANY_ENTRIES"


def test_end_record_understating_the_count_is_still_caught(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "many.zip", [(f"{i}.sql", b"select 1;\n") for i in range(4)])
    patch_end_record_count(path, 1)

    assert rejected_code(path, ZipLimits(max_entries=3)) == "ZIP_TOO_MANY_ENTRIES"


def test_zip64_end_record_is_read_for_the_count(tmp_path: Path) -> None:
    path = tmp_path / "z64.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.sql", b"select 1;\n")
        zf.writestr("b.sql", b"select 2;\n")
    data = bytearray(path.read_bytes())
    eocd = data.rindex(b"PK\x05\x06")
    _sig, _d1, _d2, _n1, count, cd_size, cd_offset, _c = struct.unpack_from("<4s4H2LH", data, eocd)
    zip64_eocd = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 100_000, 100_000, cd_size, cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, eocd, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, cd_size, cd_offset, 0)
    path.write_bytes(bytes(data[:eocd]) + zip64_eocd + locator + end)

    assert rejected_code(path, ZipLimits(max_entries=70_000)) == "ZIP_TOO_MANY_ENTRIES"
    assert count == 2
