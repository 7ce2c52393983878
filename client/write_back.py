"""Writing a fixed text over the user's file: in the file's own encoding, atomically, keeping its mode.

The service reads UTF-8, UTF-8 with a BOM and UTF-16 with a BOM, and answers
text without the BOM (processors/text.py); ``sqlfluff fix`` writes a file back
in the encoding it read it in. So the BOM the file starts with chooses the
encoding and is put back. The text is written as it is: the service kept the
file's line endings, and translating them would change every line.

A crash, a full disk or a killed process must never leave half a file: the
bytes go to a temporary file in the same folder (same file system), are
flushed to disk, take the original's permission bits, and replace the
original in one ``os.replace``.
"""

import codecs
import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def encode_like(original: bytes, text: str) -> bytes:
    """``text`` in the encoding ``original`` was read in, with its BOM if it had one."""
    for bom, encoding in _BOMS:
        if original.startswith(bom):
            return bom + text.encode(encoding)
    return text.encode("utf-8")


def replace_atomically(path: Path, data: bytes) -> None:
    """Put ``data`` in place of ``path``'s content, all or nothing, keeping its permission bits."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".sqllint")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_fixed(path: Path, text: str) -> None:
    """Write the service's fixed ``text`` over ``path`` (a symlink's target is the file written)."""
    target = path.resolve()
    with target.open("rb") as handle:
        head = handle.read(len(codecs.BOM_UTF8))
    replace_atomically(target, encode_like(head, text))


def digest(path: Path) -> str:
    """The file's content hash: a file edited while the service fixed it is left to the edit."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
