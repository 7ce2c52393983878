"""Reading a ZIP's end records by hand, before :mod:`zipfile` parses its directory.

zipfile builds one ZipInfo per central-directory record up front, so an
archive declaring millions of tiny records would cost memory before any
policy could refuse it. The end-of-central-directory record (and its ZIP64
twin) states the entry count and the directory's size in a few bytes.
"""

import struct
from typing import BinaryIO

_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def declared_directory(fp: BinaryIO, size: int) -> tuple[int, int] | None:
    """(entry count, directory bytes) from the end records, or None to let zipfile judge.

    Read before :class:`zipfile.ZipFile` builds a ZipInfo per record, so a
    directory of millions of tiny records is refused without being loaded.
    """
    tail_len = min(size, _EOCD.size + 0xFFFF)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    *_, entries, cd_size, _cd_offset, _comment = _EOCD.unpack_from(tail, at)
    if entries != 0xFFFF and cd_size != 0xFFFFFFFF:
        return entries, cd_size
    locator = at - _ZIP64_LOCATOR.size
    if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return None
    _sig, _disk, z64_offset, _disks = _ZIP64_LOCATOR.unpack_from(tail, locator)
    fp.seek(z64_offset)
    record = fp.read(_ZIP64_EOCD.size)
    if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
        return None
    *_, entries, cd_size, _cd_offset = _ZIP64_EOCD.unpack(record)
    return entries, cd_size
