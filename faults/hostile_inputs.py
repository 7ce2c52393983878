"""Hostile archives and texts, each with the answer the service must give.

Every input is built here byte by byte (no fixture files), so the table in
docs/reliability.md can be reproduced anywhere. The run lowers a few limits
(``HOSTILE_ENV``) only to keep the inputs small; the code paths are the ones
the documented defaults take.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faults.zipcraft import CD_FLAGS, CD_OFFSET, CD_SIZE, make_zip, patch_central, sql_text, symlink_entry

MIB = 1024 * 1024
OK_SQL = b"select a,b from t where x=1;\n"
# Lowered for the run: a 15 s lint limit instead of 60 s, an 8 MiB archive total instead of 512 MiB
# (the ingest checks the total an archive declares, the processors what it really holds).
HOSTILE_ENV = {
    "PROCESSORS_LINT_TIMEOUT_SECONDS": "15",
    "INGEST_ZIP_LIMITS__MAX_TOTAL_BYTES": str(8 * MIB),
    "PROCESSORS_ZIP_LIMITS__MAX_TOTAL_BYTES": str(8 * MIB),
}


@dataclass(frozen=True)
class Expect:
    """The answer: a refusal (status, code), or a 202 whose job ends with these task outcomes."""

    status: int
    code: str | None = None
    job_status: str | None = None
    tasks: dict[str, int] = field(default_factory=dict)  # SUCCESS or the failure code -> count


class Case:
    """One hostile input, uploaded as ``file_name`` with the bytes ``build`` writes.

    ``expect`` is the answer documented; ``also`` lists answers equally right
    on a slower or faster machine (which limit a file hits first).
    """

    def __init__(self, name: str, file_name: str, build: Callable[[Path], bytes], expect: Expect,
                 *also: Expect) -> None:
        self.name, self.file_name, self.build = name, file_name, build
        self.expect, self.accepted = expect, (expect, *also)


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Callable[[Path], bytes]:
    return lambda tmp: make_zip(tmp / "a.zip", entries).read_bytes()


def _patched(entries: list[tuple[str, bytes]], record: int, offset: int, fmt: str, value: int
             ) -> Callable[[Path], bytes]:
    def build(tmp: Path) -> bytes:
        path = make_zip(tmp / "a.zip", entries)
        patch_central(path, record, offset, fmt, value)
        return path.read_bytes()
    return build


def _truncated(tmp: Path) -> bytes:
    data = make_zip(tmp / "a.zip", [(f"{i}.sql", sql_text(20_000, i)) for i in range(3)]).read_bytes()
    return data[: len(data) // 2]


def _nested(tmp: Path) -> bytes:
    inner = make_zip(tmp / "inner.zip", [("a.sql", OK_SQL)]).read_bytes()
    return make_zip(tmp / "outer.zip", [("ok.sql", OK_SQL), ("vendor/inner.zip", inner)]).read_bytes()


def _text(data: bytes) -> Callable[[Path], bytes]:
    return lambda _tmp: data


def _columns(count: int) -> bytes:
    """One SELECT of ``count`` columns on a single line: parse time grows faster than its length."""
    return b"select " + b", ".join(b"c%d" % i for i in range(count)) + b" from t;\n"


def _complex_sql(size: int) -> bytes:
    """Joins and CASE expressions: ~900 KB of these take SQLFluff past 1.5 GiB of address space."""
    stmt = ("SELECT a.id, CASE WHEN b.x > 1 THEN 'y' ELSE 'n' END AS flag, COUNT(*) AS n\n"
            "FROM alpha AS a JOIN beta AS b ON a.id = b.id WHERE a.v IN (1, 2, 3)\n"
            "GROUP BY a.id, flag;\n")
    out = io.BytesIO()
    while out.tell() < size:
        out.write(stmt.encode())
    return out.getvalue()[:size]


_DEEP = b"SELECT " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n"
SLIP_NAMES = ("../evil.sql", "/etc/evil.sql", "dir\\..\\evil.sql", "C:/evil.sql")
_BOMB = [("zeros.sql", bytes(1_000_000)), ("ok.sql", OK_SQL)]
_PAIR = [("a.sql", sql_text(5_000)), ("b.sql", sql_text(5_000, 1))]

CASES: tuple[Case, ...] = (
    Case("zip bomb: ratio ~1000:1", "bomb.zip", _zip(_BOMB),
         Expect(202, job_status="PARTIALLY_COMPLETED", tasks={"SUCCESS": 1, "ZIP_BOMB": 1})),
    Case("zip bomb: declared total over the limit", "total.zip",
         _zip([(f"{i}.sql", sql_text(900_000, i)) for i in range(10)]), Expect(413, "ZIP_TOO_LARGE")),
    Case("zip bomb: header declares 100 bytes, holds 2 MiB", "liar.zip",
         _patched([("liar.sql", sql_text(2 * MIB))], 0, CD_SIZE, "<I", 100),
         Expect(202, job_status="FAILED", code="ZIP_CORRUPT")),
    Case("zip bomb: overlapping entries", "overlap.zip", _patched(_PAIR, 1, CD_OFFSET, "<I", 200),
         Expect(400, "ZIP_OVERLAPPING_ENTRIES")),
    Case("nested ZIP", "nested.zip", _nested,
         Expect(202, job_status="PARTIALLY_COMPLETED", tasks={"SUCCESS": 1, "NESTED_ARCHIVE": 1})),
    Case("zip-slip names (../, /abs, backslash, C:)", "slip.zip",
         _zip([("ok.sql", OK_SQL), *[(n, OK_SQL) for n in SLIP_NAMES]]),
         Expect(202, job_status="PARTIALLY_COMPLETED", tasks={"SUCCESS": 1, "UNSAFE_PATH": 4})),
    Case("symlink entry", "link.zip", _zip([("ok.sql", OK_SQL), (symlink_entry("link.sql"), b"/etc/passwd")]),
         Expect(202, job_status="PARTIALLY_COMPLETED", tasks={"SUCCESS": 1, "SYMLINK": 1})),
    Case("10,001 entries", "many.zip", _zip([(f"f{i}.sql", b"") for i in range(10_001)]),
         Expect(400, "ZIP_TOO_MANY_ENTRIES")),
    Case("encrypted entry", "enc.zip", _patched([("a.sql", OK_SQL)], 0, CD_FLAGS, "<H", 0x1),
         Expect(400, "ZIP_ENCRYPTED")),
    Case("corrupt archive (not a ZIP)", "junk.zip", _text(b"PK\x03\x04" + bytes(range(256)) * 8),
         Expect(400, "ZIP_CORRUPT")),
    Case("truncated archive", "cut.zip", _truncated, Expect(400, "ZIP_CORRUPT")),
    Case("empty archive", "empty.zip", _zip([]), Expect(400, "ZIP_EMPTY")),
    Case("duplicate names", "dup.zip", _zip([("a.sql", OK_SQL), ("a.sql", b"SELECT 1\n")]),
         Expect(202, job_status="COMPLETED", tasks={"SUCCESS": 2})),
    Case("UTF-8 with BOM", "bom8.sql", _text(b"\xef\xbb\xbf" + OK_SQL),
         Expect(202, job_status="COMPLETED", tasks={"SUCCESS": 1})),
    Case("UTF-16 LE with BOM", "bom16.sql", _text(OK_SQL.decode().encode("utf-16")),
         Expect(202, job_status="COMPLETED", tasks={"SUCCESS": 1})),
    Case("binary named .sql", "blob.sql", _text(bytes(range(256)) * 16),
         Expect(202, job_status="FAILED", tasks={"NOT_TEXT": 1})),
    Case("one 10 KB line (1,500 columns)", "line.sql", _text(_columns(1_500)),
         Expect(202, job_status="COMPLETED", tasks={"SUCCESS": 1})),
    Case("one 230 KB line (30,000 columns)", "wide.sql", _text(_columns(30_000)),
         Expect(202, job_status="FAILED", tasks={"LINT_PARSER_PANIC": 1}),
         # the parser gives up after ~5 s here; a machine 3x slower reaches the time limit first
         Expect(202, job_status="FAILED", tasks={"LINT_TIMEOUT": 1})),
    Case("3,000 nested parentheses", "deep.sql", _text(_DEEP),
         Expect(202, job_status="FAILED", tasks={"LINT_PARSE_LIMIT": 1})),
    # SQLFluff itself takes ~40 s on this (the depth limit raised in the file); refused before it parses.
    Case("3,000 nested parentheses, -- sqlfluff:max_parse_depth:100000", "deeper.sql",
         _text(b"-- sqlfluff:max_parse_depth:100000\n" + _DEEP),
         Expect(202, job_status="FAILED", tasks={"FORBIDDEN_INLINE_CONFIG": 1})),
    Case("900 KB of joins: over the 1.5 GiB memory limit", "heavy.sql", _text(_complex_sql(900_000)),
         Expect(202, job_status="FAILED", tasks={"LINT_MEMORY": 1})),
    Case(".sql upload past the size limit", "huge.sql", _text(sql_text(MIB + 1)),
         Expect(413, "FILE_TOO_LARGE")),
    Case("ZIP member past the size limit", "big.zip",
         _zip([("big.sql", sql_text(MIB + 1)), ("ok.sql", OK_SQL)]),
         Expect(202, job_status="PARTIALLY_COMPLETED", tasks={"SUCCESS": 1, "FILE_TOO_LARGE": 1})),
)
