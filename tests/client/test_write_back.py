"""Writing fixes back: the file's own encoding and BOM, its mode, its line endings, all or nothing."""

import codecs
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from client.write_back import encode_like, write_fixed
from processors.text import decode_sql

FIXED = "SELECT\n    a,\r\n    b -- é\nFROM t\n"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
     (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_the_file_keeps_its_encoding_and_bom(tmp_path: Path, bom: bytes, encoding: str) -> None:
    path = tmp_path / "q.sql"
    path.write_bytes(bom + "select a,b from t -- é\n".encode(encoding))
    write_fixed(path, FIXED)
    data = path.read_bytes()
    assert data == bom + FIXED.encode(encoding)
    assert decode_sql(data) == FIXED  # the service reads back exactly the text it gave
    assert encode_like(bom, FIXED) == data


def test_bytes_are_written_as_given_with_no_newline_translation(tmp_path: Path) -> None:
    path = tmp_path / "crlf.sql"
    path.write_bytes(b"select a\r\nfrom t\r\n")
    write_fixed(path, "SELECT a\r\nFROM t\r\n")
    assert path.read_bytes() == b"SELECT a\r\nFROM t\r\n"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_the_mode_is_kept_and_no_temporary_file_is_left(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "q.sql"
    path.write_text("select 1\n")
    path.chmod(mode)
    inode = path.stat().st_ino
    write_fixed(path, "SELECT 1\n")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.stat().st_ino != inode  # replaced by a new file, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.sql"]


def test_a_symlink_stays_a_link_and_its_target_is_fixed(tmp_path: Path) -> None:
    target = tmp_path / "real.sql"
    target.write_text("select 1\n")
    link = tmp_path / "link.sql"
    link.symlink_to(target)
    write_fixed(link, "SELECT 1\n")
    assert link.is_symlink()
    assert target.read_text() == "SELECT 1\n"


def test_a_failure_mid_write_leaves_the_original(tmp_path: Path) -> None:
    """A real short write: the file-size limit (RLIMIT_FSIZE) stops the write after 1 KiB with EFBIG."""
    path = tmp_path / "q.sql"
    original = b"select a,b from t\n" * 10
    path.write_bytes(original)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from client.write_back import write_fixed
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.RLIM_INFINITY))
        try:
            write_fixed(Path({str(path)!r}), "SELECT a, b FROM t\\n" * 1000)
        except OSError as exc:
            sys.exit(f"failed: {{exc.strerror}}")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          check=False, cwd=Path(__file__).parents[2], env={**os.environ, "PYTHONPATH": "."})
    assert done.returncode == 1, done.stderr
    assert "failed: File too large" in done.stderr
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.sql"]  # the partial temporary file is gone
