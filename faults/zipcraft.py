"""Archives built byte by byte, hostile ones included: hostile inputs of the fault runs, ZIP policy tests."""

import random
import stat
import struct
import warnings
import zipfile
from pathlib import Path

# Central-directory record field offsets (APPNOTE 4.3.12).
CD_FLAGS, CD_CRC, CD_COMPRESSED, CD_SIZE, CD_OFFSET = 8, 16, 20, 24, 42


def make_zip(
    path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> Path:
    """Write ``entries`` (names may repeat) to a ZIP at ``path``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the test data
        with zipfile.ZipFile(path, "w", method) as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return path


def central_records(data: bytes) -> list[int]:
    """Offsets of every central-directory record, walked from the end record."""
    eocd = data.rindex(b"PK\x05\x06")
    count, _size, offset = struct.unpack_from("<HII", data, eocd + 10)
    records = []
    for _ in range(count):
        assert data[offset : offset + 4] == b"PK\x01\x02"
        records.append(offset)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_len + extra_len + comment_len
    return records


def patch_central(path: Path, record: int, field: int, fmt: str, value: int) -> None:
    """Overwrite one field of one central-directory record: an archive that lies."""
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, central_records(bytes(data))[record] + field, value)
    path.write_bytes(bytes(data))


def sql_text(size: int, seed: int = 0) -> bytes:
    """Incompressible-enough SQL so ratios stay realistic."""
    rng = random.Random(seed)
    words = [f"col_{rng.randrange(10**9)}" for _ in range(size // 8)]
    return ("select " + ", ".join(words) + " from t;\n").encode()[:size]


def patch_end_record_count(path: Path, count: int) -> None:
    """Make the end record claim ``count`` entries."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<HH", data, data.rindex(b"PK\x05\x06") + 8, count, count)
    path.write_bytes(bytes(data))


def symlink_entry(name: str) -> zipfile.ZipInfo:
    """A directory record that a Unix unzip would restore as a symbolic link."""
    link = zipfile.ZipInfo(name)
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return link
