"""ZIP policy on real archives built here, including hand-patched hostile ones."""

import zipfile
from pathlib import Path

import pytest

from faults.zipcraft import (
    CD_CRC,
    CD_FLAGS,
    CD_SIZE,
    make_zip,
    patch_central,
    sql_text,
    symlink_entry,
)
from policy.zip_policy import (
    CHUNK_BYTES,
    ArchiveRejectedError,
    MemberRejectedError,
    ReadBudget,
    ZipLimits,
    ZipMember,
    open_archive,
    read_member,
)
from tests.policy.archives import listing, read_all, rejected_code


def test_normal_archive_lists_sql_members_in_order(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "ok.zip",
        [
            ("top.SQL", b"select 1;\n"),
            ("a/b/c.sql", b"select 2;\n"),
            ("a/b/c.sql", b"select 3;\n"),
            ("données/é.sql", b"select 4;\n"),
            ("a/", b""),
            ("README.md", b"# hi"),
            ("__MACOSX/a/._c.sql", b"junk"),
            ("a/._c.sql", b"junk"),
        ],
    )

    result = listing(path)

    assert [m.name for m in result.members] == ["top.SQL", "a/b/c.sql", "a/b/c.sql", "données/é.sql"]
    assert [m.index for m in result.members] == [0, 1, 2, 3]
    assert all(m.problem is None for m in result.members)
    assert result.skipped == ("README.md", "__MACOSX/a/._c.sql", "a/._c.sql")
    assert read_all(path, ZipLimits()) == [b"select 1;\n", b"select 2;\n", b"select 3;\n", b"select 4;\n"]


@pytest.mark.parametrize("name", ["../x.sql", "a/../../x.sql", "/abs.sql", "a\\b.sql", "C:/x.sql", "c:x.sql"])
def test_zip_slip_names_are_unsafe_files_not_a_rejected_archive(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "slip.zip", [("fine.sql", b"select 1;\n"), (name, b"select 2;\n")])

    fine, unsafe = listing(path).members

    assert fine.problem is None
    assert unsafe.problem is not None
    assert unsafe.problem.code == "UNSAFE_PATH"
    assert "\\" not in unsafe.name


def test_symlink_entry_is_a_failed_file(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "link.zip", [(symlink_entry("link.sql"), b"/etc/passwd")])

    (member,) = listing(path).members

    assert member.problem is not None
    assert member.problem.code == "SYMLINK"


def test_declared_oversized_file_is_a_failed_file(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "big.zip", [("big.sql", sql_text(5000)), ("small.sql", b"select 1;\n")])

    big, small = listing(path, ZipLimits(max_file_bytes=4096)).members

    assert big.problem is not None
    assert big.problem.code == "FILE_TOO_LARGE"
    assert small.problem is None


def test_too_many_entries_is_decided_from_the_directory(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "many.zip", [(f"{i}.sql", b"select 1;\n") for i in range(4)])

    assert rejected_code(path, ZipLimits(max_entries=3)) == "ZIP_TOO_MANY_ENTRIES"
    assert len(listing(path, ZipLimits(max_entries=4)).members) == 4


def test_encrypted_member_rejects_the_archive(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "enc.zip", [("a.sql", b"select 1;\n")])
    patch_central(path, 0, CD_FLAGS, "<H", 0x1)

    assert rejected_code(path) == "ZIP_ENCRYPTED"


def test_reader_maps_encryption_to_zip_encrypted(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "enc.zip", [("a.sql", b"select 1;\n")])
    patch_central(path, 0, CD_FLAGS, "<H", 0x1)
    limits = ZipLimits()

    with open_archive(path, limits) as zf, pytest.raises(ArchiveRejectedError) as caught:
        read_member(zf, ZipMember(0, "a.sql", zf.infolist()[0]), limits, ReadBudget(limits))

    assert caught.value.code == "ZIP_ENCRYPTED"


def test_not_a_zip_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "junk.zip"
    path.write_bytes(b"this is not an archive" * 100)

    assert rejected_code(path) == "ZIP_CORRUPT"


def test_truncated_archive_is_corrupt(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "cut.zip", [("a.sql", sql_text(20_000))])
    path.write_bytes(path.read_bytes()[:-30])

    assert rejected_code(path) == "ZIP_CORRUPT"


def test_bad_crc_is_corrupt_when_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "crc.zip", [("a.sql", b"select 1;\n")])
    patch_central(path, 0, CD_CRC, "<I", 0xDEADBEEF)

    with pytest.raises(ArchiveRejectedError) as caught:
        read_all(path, ZipLimits())

    assert caught.value.code == "ZIP_CORRUPT"


def test_damaged_deflate_stream_is_corrupt_when_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bits.zip", [("a.sql", sql_text(50_000))])
    data = bytearray(path.read_bytes())
    data[100:400] = bytes(300)
    path.write_bytes(bytes(data))

    with pytest.raises(ArchiveRejectedError) as caught:
        read_all(path, ZipLimits())

    assert caught.value.code == "ZIP_CORRUPT"


def test_empty_archive_and_archive_without_sql_are_empty(tmp_path: Path) -> None:
    empty = make_zip(tmp_path / "empty.zip", [])
    other = make_zip(tmp_path / "other.zip", [("a.txt", b"x"), ("dir/", b""), ("x.sql/", b"")])

    assert rejected_code(empty) == "ZIP_EMPTY"
    assert rejected_code(other) == "ZIP_EMPTY"


def test_archive_file_over_limit_is_too_large(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", [("a.sql", sql_text(5000))], method=zipfile.ZIP_STORED)

    assert rejected_code(path, ZipLimits(max_archive_bytes=4096)) == "ZIP_TOO_LARGE"


def test_declared_total_over_limit_is_too_large_before_reading(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "t.zip", [(f"{i}.sql", sql_text(3000, i)) for i in range(3)])

    assert rejected_code(path, ZipLimits(max_total_bytes=8000)) == "ZIP_TOO_LARGE"


def test_high_ratio_is_flagged_from_the_directory_and_stopped_while_reading(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bomb.zip", [("zeros.sql", bytes(1_000_000)), ("ok.sql", b"select 1;\n")])
    limits = ZipLimits(max_ratio=100)

    bomb, ok = listing(path, limits).members
    assert bomb.problem is not None
    assert bomb.problem.code == "ZIP_BOMB"
    assert ok.problem is None

    budget = ReadBudget(limits)
    with open_archive(path, limits) as zf, pytest.raises(MemberRejectedError) as caught:
        read_member(zf, ZipMember(0, bomb.name, bomb.info), limits, budget)
    assert caught.value.code == "ZIP_BOMB"
    assert caught.value.error_info().code == "ZIP_BOMB"
    assert budget.used < 200 * bomb.info.compress_size + CHUNK_BYTES


def test_reader_stops_at_the_file_limit_whatever_the_directory_says(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "big.zip", [("big.sql", sql_text(3 * 1024 * 1024))], method=zipfile.ZIP_STORED)
    limits = ZipLimits()
    budget = ReadBudget(limits)

    with open_archive(path, limits) as zf, pytest.raises(MemberRejectedError) as caught:
        read_member(zf, ZipMember(0, "big.sql", zf.infolist()[0]), limits, budget)

    assert caught.value.code == "FILE_TOO_LARGE"
    assert limits.max_file_bytes < budget.used <= limits.max_file_bytes + CHUNK_BYTES


def test_header_lying_small_never_yields_more_than_it_claims(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "liar.zip", [("liar.sql", sql_text(2 * 1024 * 1024))])
    patch_central(path, 0, CD_SIZE, "<I", 100)
    limits = ZipLimits()

    (member,) = listing(path, limits).members
    assert member.problem is None  # the directory looks harmless...
    budget = ReadBudget(limits)
    with open_archive(path, limits) as zf, pytest.raises(ArchiveRejectedError) as caught:
        read_member(zf, member, limits, budget)

    assert caught.value.code == "ZIP_CORRUPT"  # ...but the content betrays it
    assert budget.used <= 100


def test_total_is_counted_from_bytes_actually_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "t.zip", [(f"{i}.sql", sql_text(300_000, i)) for i in range(3)])
    limits = ZipLimits(max_total_bytes=700_000)
    budget = ReadBudget(limits)

    with open_archive(path, limits) as zf, pytest.raises(ArchiveRejectedError) as caught:
        for index, info in enumerate(zf.infolist()):  # read past the directory check on purpose
            read_member(zf, ZipMember(index, info.filename, info), limits, budget)

    assert caught.value.code == "ZIP_TOO_LARGE"
    assert 700_000 < budget.used <= 700_000 + CHUNK_BYTES


def test_nested_archive_is_a_failed_file_never_opened(tmp_path: Path) -> None:
    inner = make_zip(tmp_path / "inner.zip", [("a.sql", b"select 1;\n")]).read_bytes()
    path = make_zip(tmp_path / "outer.zip", [("ok.sql", b"select 1;\n"), ("deps/inner.ZIP", inner)])
    members = listing(path).members
    assert [(m.name, m.problem.code if m.problem else None) for m in members] == [
        ("ok.sql", None),
        ("deps/inner.ZIP", "NESTED_ARCHIVE"),
    ]


def test_archive_of_only_nested_archives_is_not_empty(tmp_path: Path) -> None:
    inner = make_zip(tmp_path / "inner.zip", [("a.sql", b"select 1;\n")]).read_bytes()
    path = make_zip(tmp_path / "outer.zip", [("inner.zip", inner), ("notes.txt", b"x")])
    found = listing(path)
    assert [m.problem.code for m in found.members if m.problem] == ["NESTED_ARCHIVE"]
    assert found.skipped == ("notes.txt",)


def test_duplicate_names_are_distinct_members_with_their_own_bytes(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "dup.zip", [("a.sql", b"select 1;\n"), ("a.sql", b"select 2;\n")])
    members = listing(path).members
    assert [(m.index, m.name) for m in members] == [(0, "a.sql"), (1, "a.sql")]
    assert read_all(path, ZipLimits()) == [b"select 1;\n", b"select 2;\n"]
