"""``sqllint --fix`` and ``--diff`` (the installed script) against a running stack, held to ``sqlfluff fix``.

The same folder of dirty SQL is copied twice: ``sqllint --fix`` runs on one
copy, ``sqlfluff fix`` (same ``.sqlfluff`` files, same empty HOME, the lint
processes' hash seed) on the other, and every file must end byte for byte
the same, with the same exit status. ``--diff`` output must apply with
``git apply`` to an untouched copy and give the same tree.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlfluff

from harness.stack import Stack
from tests.client.stack import stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
__all__ = ["stack"]  # the fixture, imported to be used here
BIN = Path(sys.executable).parent
CONFIG = "[sqlfluff]\ndialect = ansi\ntemplater = raw\n"
PROJECT = {
    ".sqlfluff": CONFIG,
    "models/orders.sql": "select id,amount from orders where x=1\n",
    "models/clean.sql": "select id from orders\n",
    "models/star.sql": "SELECT *  from t\n",  # LT01 fixable, AM04 (select *) is not
    "models/no_newline.sql": "select a  from t",
    "models/crlf.sql": "select a,b\r\nfrom t\r\n",
    "models/broken.sql": "select a,b from t;\nselec frm where;\n",  # PRS: left as it is
    "legacy/.sqlfluff": "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = upper\n",
    "legacy/old.sql": "select a,b FROM t\n",
    "legacy/deep/older.sql": "Select  c from u\n",
}
ENCODED = {"encoded/bom.sql": "\ufeffselect a,b from t\n".encode(), "encoded/utf16.sql":
           "\ufeffselect  a from t\n".encode("utf-16-le")}
DIRTY_FIXABLE = "select a,b  from t where x=1\n"


def make(root: Path) -> Path:
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode())
    for name, data in ENCODED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "models" / "orders.sql").chmod(0o640)
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def env(stack: Stack, home: Path) -> dict[str, str]:
    """Both tools: an empty HOME, no CI, the stack's URL, the lint processes' hash seed (for LT07)."""
    home.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if k not in {"CI", "SQLLINT_URL", "XDG_CONFIG_HOME"}}
    return {**base, "HOME": str(home), "SQLLINT_URL": stack.base_url, "PYTHONHASHSEED": "0"}


def run(tool: list[str], cwd: Path, stack: Stack, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=cwd, env=env(stack, cwd.parent / "home"),
                          input=stdin, capture_output=True, timeout=500, check=False)


def sqlfluff_fix(args: list[str]) -> list[str]:
    """``sqlfluff fix`` applying without asking: ``-f`` before SQLFluff 3 (deprecated since)."""
    force = ["-f"] if int(sqlfluff.__version__.split(".")[0]) < 3 else []
    return ["sqlfluff", "fix", *force, "--disable-progress-bar", *args]


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Ours, theirs and an untouched one, each the same project."""
    return make(tmp_path / "ours"), make(tmp_path / "theirs"), make(tmp_path / "untouched")


def test_fix_writes_what_sqlfluff_fix_leaves(copies: tuple[Path, Path, Path], stack: Stack) -> None:
    ours, theirs, untouched = copies
    mine = run(["sqllint", "--fix", ".", "--format", "json"], ours, stack)
    reference = run(sqlfluff_fix(["."]), theirs, stack)
    assert reference.returncode == 1, reference.stderr  # unfixable AM04 and an unparsable file remain
    assert mine.returncode == reference.returncode, mine.stderr
    assert tree(ours) == tree(theirs)
    changed = [name for name, data in tree(theirs).items() if data != tree(untouched)[name]]
    assert len(changed) >= 7, changed  # the fixer really had work, also on CRLF, BOM and UTF-16 files
    assert {"models/crlf.sql", "encoded/bom.sql", "encoded/utf16.sql"} <= set(changed)
    assert (ours / "models" / "orders.sql").stat().st_mode & 0o777 == 0o640
    err = mine.stderr.decode()
    assert f"{len(changed)} file(s) fixed\n" in err
    assert "models/broken.sql: not fixed: templating or parsing errors" in err
    # The report is what remains: the unparsable file as it was, and star.sql's AM04 after its fix.
    remaining = {r["filepath"]: {v["code"] for v in r["violations"]} for r in json.loads(mine.stdout)}
    assert len(remaining) == len(tree(untouched)) - 2  # every .sql file (not the two .sqlfluff)
    assert {path: codes for path, codes in remaining.items() if codes} == {
        "models/star.sql": {"AM04"}, "models/broken.sql": {"PRS", "LT01", "LT09"}}


def test_fix_exits_0_when_everything_left_is_clean(copies: tuple[Path, Path, Path], stack: Stack) -> None:
    ours, theirs, _ = copies
    files = ["models/orders.sql", "models/crlf.sql", "legacy"]
    mine = run(["sqllint", "--fix", *files], ours, stack)
    reference = run(sqlfluff_fix(files), theirs, stack)
    assert (mine.returncode, reference.returncode) == (0, 0), (mine.stderr, reference.stderr)
    assert tree(ours) == tree(theirs)
    assert mine.stdout.decode().endswith("4 file(s) checked, 0 violation(s)\n")


def test_diff_applies_with_git_to_an_untouched_copy(copies: tuple[Path, Path, Path], stack: Stack) -> None:
    ours, theirs, untouched = copies
    before = tree(ours)
    # The patch is of the text; files with a BOM are left out here (the text the service diffs has none).
    shown = run(["sqllint", "--diff", "models", "legacy"], ours, stack)
    assert shown.returncode == 1, shown.stderr
    assert tree(ours) == before  # --diff writes nothing
    assert shown.stdout.startswith(b"--- a/")
    (untouched.parent / "fix.diff").write_bytes(shown.stdout)
    subprocess.run(["git", "apply", str(untouched.parent / "fix.diff")], cwd=untouched, check=True,
                   capture_output=True)
    assert run(sqlfluff_fix(["models", "legacy"]), theirs, stack).returncode == 1
    assert tree(untouched) == tree(theirs)
    assert "would be fixed\n" in shown.stderr.decode()
    # Nothing left to change: an empty patch and status 0.
    again = run(["sqllint", "--diff", "models/orders.sql", "legacy"], untouched, stack)
    assert (again.returncode, again.stdout) == (0, b""), again.stderr


def test_stdin_prints_the_fixed_sql_like_sqlfluff_fix(copies: tuple[Path, Path, Path], stack: Stack) -> None:
    ours, _, _ = copies
    args = ["-", "--stdin-filename", "legacy/new.sql"]
    for sql, status in ((DIRTY_FIXABLE, 0), ("select * from t\n", 1), ("SELECT a FROM t\n", 0)):
        mine = run(["sqllint", "--fix", *args], ours, stack, stdin=sql.encode())
        reference = run(sqlfluff_fix(args), ours, stack, stdin=sql.encode())
        assert mine.stdout == reference.stdout, sql
        assert (mine.returncode, reference.returncode) == (status, status), (sql, mine.stderr)
    assert not (ours / "legacy" / "new.sql").exists()


def test_a_zip_is_not_modified_and_its_diff_is_shown(copies: tuple[Path, Path, Path], stack: Stack) -> None:
    ours, _, _ = copies
    archive = ours / "repo.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("q/dirty.sql", DIRTY_FIXABLE)
    before = archive.read_bytes()
    mine = run(["sqllint", "--fix", "repo.zip"], ours, stack)
    assert archive.read_bytes() == before
    err = mine.stderr.decode()
    assert "repo.zip: files inside a ZIP are not written back; their diff:\n--- a/q/dirty.sql\n" in err
    assert "0 file(s) fixed" in err
    assert mine.returncode == 1  # the violations are still in the archive
