"""The installed ``sqllint`` console script against a whole running stack, compared with ``sqlfluff lint``.

The project folder has a ``.sqlfluff`` (postgres, rule settings), a
subfolder whose own ``.sqlfluff`` differs (so two jobs), a
``.sqlfluffignore`` and a ``pyproject.toml`` ``ignore_paths``; both tools
run in it with the same empty HOME, and must find the same violations in
the same files.
"""

import fcntl
import json
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

from harness.stack import Stack
from tests.client.stack import stack
from tests.reports.consumers import (
    read_checkstyle,
    read_github,
    read_gitlab,
    read_junit,
    read_sarif,
    sarif_path,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
BIN = Path(sys.executable).parent
PROJECT = {
    ".sqlfluff": (
        "[sqlfluff]\ndialect = postgres\ntemplater = raw\nmax_line_length = 40\nexclude_rules = AM04\n"
        "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = upper\n"
    ),
    ".sqlfluffignore": "build/\n",
    "pyproject.toml": '[tool.sqlfluff.core]\nignore_paths = ["models/scratch_*.sql"]\n',
    "models/orders.sql": "select id, amount::numeric as amount_with_a_long_name from orders where x=1\n",
    "models/clean.sql": "SELECT id FROM orders\n",
    "models/scratch_1.sql": "select   broken(\n",
    "build/generated.sql": "select * from generated_junk\n",
    "legacy/.sqlfluff": "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = lower\n",
    "legacy/old.sql": "SELECT a,b FROM t\n",
}
__all__ = ["stack"]  # the fixture, imported to be used here
FIELDS = ("code", "start_line_no", "start_line_pos", "end_line_no", "end_line_pos", "description")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "home").mkdir()
    return root


def env(project: Path, stack: Stack) -> dict[str, str]:
    """An environment both tools share: an empty HOME, no CI variable, the stack's URL."""
    base = {k: v for k, v in os.environ.items() if k not in {"CI", "SQLLINT_URL", "XDG_CONFIG_HOME"}}
    return {**base, "HOME": str(project.parent / "home"), "SQLLINT_URL": stack.base_url}


def run(
    tool: str, args: list[str], project: Path, stack: Stack, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *args], cwd=project, env=env(project, stack), input=stdin,
        capture_output=True, text=True, timeout=240, check=False,
    )


def findings(records: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """Per file, the violations as sorted tuples of the fields both tools give."""
    return {
        r["filepath"]: sorted(tuple(v[f] for f in FIELDS) for v in r["violations"]) for r in records
    }


def test_same_violations_as_sqlfluff_with_the_discovered_config(project: Path, stack: Stack) -> None:
    ours = run("sqllint", [".", "--format", "json"], project, stack)
    theirs = run("sqlfluff", ["lint", ".", "--format", "json", "--nofail"], project, stack)
    assert ours.returncode == 1, ours.stderr
    got, expected = findings(json.loads(ours.stdout)), findings(json.loads(theirs.stdout))
    assert got == expected
    assert sorted(got) == ["legacy/old.sql", "models/clean.sql", "models/orders.sql"]
    assert any(v[0] == "LT05" for v in got["models/orders.sql"])  # max_line_length = 40 was applied
    assert any(v[0] == "CP01" for v in got["legacy/old.sql"])  # the subfolder's own policy: lower
    assert got["models/clean.sql"] == []
    # JSON goes to stdout, the summary to stderr; no progress bar outside a terminal.
    assert ours.stderr == "3 file(s) checked, " + f"{sum(map(len, got.values()))} violation(s)\n"


def test_stdin_with_a_filename_uses_that_folder_config(project: Path, stack: Stack) -> None:
    sql = "SELECT a,b FROM t\n"
    args = ["-", "--stdin-filename", "legacy/new.sql"]
    ours = run("sqllint", [*args, "--format", "json"], project, stack, stdin=sql)
    theirs = run("sqlfluff", ["lint", *args, "--format", "json", "--nofail"], project, stack, stdin=sql)
    assert ours.returncode == 1, ours.stderr
    # sqlfluff names the record "stdin"; we keep the given name, so annotations point at the file.
    expected = findings(json.loads(theirs.stdout))["stdin"]
    assert findings(json.loads(ours.stdout)) == {"legacy/new.sql": expected}


def test_output_file_and_the_exit_policy(project: Path, stack: Stack) -> None:
    report = project.parent / "out" / "report.json"
    ours = run("sqllint", ["models", "--format", "json", "--output", str(report)], project, stack)
    assert ours.returncode == 1
    assert ours.stdout == ""
    records = json.loads(report.read_text())
    count = sum(len(r["violations"]) for r in records)
    assert ours.stderr == f"2 file(s) checked, {count} violation(s)\n"
    assert run("sqllint", ["models", "--fail-on", "never"], project, stack).returncode == 0
    assert run("sqllint", ["models", "--max-violations", str(count)], project, stack).returncode == 0
    assert run("sqllint", ["models", "--max-violations", str(count - 1)], project, stack).returncode == 1
    assert run("sqllint", ["models/clean.sql"], project, stack).returncode == 0


def test_a_refused_setting_names_its_key_and_file(project: Path, stack: Stack) -> None:
    (project / "legacy" / "setup.cfg").write_text("[sqlfluff]\nlibrary_path = /opt/macros\n")
    ours = run("sqllint", ["legacy"], project, stack)
    assert ours.returncode == 2
    assert "FORBIDDEN_CONFIG_KEY" in ours.stderr
    assert "'library_path'" in ours.stderr
    assert f"(set in {project / 'legacy' / 'setup.cfg'})" in ours.stderr


def test_every_report_format_points_at_the_users_files(project: Path, stack: Stack) -> None:
    records = json.loads(run("sqllint", [".", "--format", "json"], project, stack).stdout)
    per_file = {r["filepath"]: len(r["violations"]) for r in records}
    dirty = {path for path, count in per_file.items() if count}
    total = sum(per_file.values())
    reports = {}
    for fmt in ("sarif", "junit", "github", "gitlab", "checkstyle"):
        out = project.parent / f"report.{fmt}"
        done = run("sqllint", [".", "--format", fmt, "--output", str(out)], project, stack)
        assert done.returncode == 1, done.stderr
        assert done.stderr == f"3 file(s) checked, {total} violation(s)\n"
        reports[fmt] = out.read_text()
    results = read_sarif(reports["sarif"])["runs"][0]["results"]
    assert len(results) == total
    assert {sarif_path(r) for r in results} == dirty
    cases = read_junit(reports["junit"])
    assert {name: len(case.findall("failure")) for name, case in cases.items()} == per_file
    annotations = read_github(reports["github"])
    assert {a["file"] for a in annotations if "file" in a} == dirty
    assert len([a for a in annotations if "file" in a]) == total
    issues = read_gitlab(reports["gitlab"])
    assert len(issues) == total
    assert {i["location"]["path"] for i in issues} == dirty
    assert {name: len(errors) for name, errors in read_checkstyle(reports["checkstyle"]).items()} == per_file


def terminal_stderr(args: list[str], project: Path, stack: Stack, **extra: str) -> str:
    """What ``sqllint`` writes to stderr when stderr is a terminal (a pseudo-terminal here)."""
    reader, writer = os.openpty()
    # A terminal has a size; tqdm fits its bar to it (a new pseudo-terminal's is 0x0).
    fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        done = subprocess.run(
            [str(BIN / "sqllint"), *args], cwd=project, env={**env(project, stack), **extra},
            stdout=subprocess.DEVNULL, stderr=writer, timeout=240, check=False,
        )
        os.close(writer)
        chunks = []
        while True:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
    assert done.returncode == 1
    return b"".join(chunks).decode()


def test_a_progress_bar_on_a_terminal_only_and_never_in_ci(project: Path, stack: Stack) -> None:
    shown = terminal_stderr(["models"], project, stack)
    assert "2/2" in shown and "file" in shown  # tqdm's bar: the files done of the job's files
    assert terminal_stderr(["models"], project, stack, CI="true") == ""
