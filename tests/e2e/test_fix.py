"""Fixes end to end on a real stack, held byte for byte to ``sqlfluff fix`` run on copies of the files."""

import io
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from harness.http import multipart
from harness.oracle import comparable, sqlfluff_says
from harness.stack import Stack
from processors.fix_transport import FIX_INLINE_MAX_BYTES, fix_file_relpaths
from schemas.events import LintOptions
from tests.processors.sqlfluff_cli import fix_with_cli

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
DATA = Path(__file__).parents[1] / "data" / "sql" / "ansi"
OPTIONS = LintOptions(dialect="ansi", exclude_rules=("AM04",), fix=True)
# Beside SQLFluff's own fixtures: the cases the fixer decides differently on.
OWN = {
    "messy/dirty.sql": "select a,b from t where x=1;\nSELECT  c from   u;\n",
    "messy/no_final_newline.sql": "SELECT a  FROM t",
    "messy/unparsable.sql": "select a,b from t;\nselec frm where;\n",
    "messy/clean.sql": "select a from t\n",
    # Long comment lines: a fix over the inline bound (kept on the storage root) that lints in seconds.
    "messy/large.sql": ("-- " + "x" * 2000 + "\n") * (FIX_INLINE_MAX_BYTES // 2000 + 10) + "select a,b\n",
}


def _files() -> dict[str, str]:
    fixtures = {p.name: p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.sql"))}
    return {**fixtures, **OWN}


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    # Stored, not deflated: the repetitive large file would deflate past the archive policy's bomb ratio.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _submit_zip(stack: Stack, files: dict[str, str], **fields: str) -> str:
    payload, content_type = multipart({"dialect": "ansi", "exclude_rules": "AM04", **fields}, "repo.zip",
                                      _zip(files))
    status, body = stack.request("POST", "/api/v1/jobs", data=payload, headers={"Content-Type": content_type})
    assert status == 202, body
    return str(body["job_id"])


def _fix(stack: Stack, task_id: str) -> tuple[int, Any]:
    return stack.request("GET", f"/api/v1/tasks/{task_id}/fix")


def _git_apply(workdir: Path, name: str, original: str, diff: str) -> str:
    target = workdir / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(original.encode())
    (workdir / "fix.diff").write_bytes(diff.encode())
    subprocess.run(["git", "apply", "fix.diff"], cwd=workdir, check=True, capture_output=True)
    return target.read_bytes().decode()


def test_every_fix_equals_sqlfluff_fix_byte_for_byte(
    stack: Stack, tmp_path: Path, storage_root: Path
) -> None:
    files = _files()
    job_id = _submit_zip(stack, files, fix="true")
    theirs = fix_with_cli(files, OPTIONS, tmp_path / "cli")
    job = stack.wait_job(job_id, timeout=300)
    failed = {t["file_name"]: t["error"]["code"] for t in job["tasks"] if t["task_status"] == "FAILURE"}
    assert failed == {}, failed
    by_name = {t["file_name"]: t["task_id"] for t in job["tasks"]}
    assert sorted(by_name) == sorted(files)
    for name, original in files.items():
        status, fix = _fix(stack, by_name[name])
        assert status == 200, (name, fix)
        assert (fix["task_id"], fix["file_name"]) == (by_name[name], name)
        assert fix["fixed_sql"] == theirs[name], name
        assert fix["fixed"] is (theirs[name] != original), name
        if fix["fixed"]:
            assert _git_apply(tmp_path / "apply", name, original, fix["diff"]) == theirs[name], name
        else:
            assert fix["diff"] == "", name
    assert sum(theirs[name] != text for name, text in files.items()) >= 5  # the fixer really had work
    assert theirs["messy/clean.sql"] == OWN["messy/clean.sql"]
    large = by_name["messy/large.sql"]  # its fix travelled by path and was read back from the storage root
    kept = storage_root / fix_file_relpaths(UUID(job_id), UUID(large))[0]
    assert kept.read_text() == theirs["messy/large.sql"]


def test_an_unparsable_file_is_reported_and_left_as_sqlfluff_leaves_it(stack: Stack, tmp_path: Path) -> None:
    sql = OWN["messy/unparsable.sql"]
    status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": sql, "file_name": "bad.sql",
                                                          "dialect": "ansi", "fix": True})
    assert status == 202, body
    [task] = stack.wait_job(body["job_id"])["tasks"]
    assert task["task_status"] == "SUCCESS"  # as `sqlfluff lint`: the parse error is a finding
    _, result = stack.request("GET", f"/api/v1/tasks/{task['task_id']}/result")
    assert "PRS" in {v["code"] for v in result["violations"]}
    assert comparable(result["violations"]) == sqlfluff_says(sql)
    status, fix = _fix(stack, task["task_id"])
    assert status == 200
    assert (fix["fixed"], fix["fixed_sql"], fix["diff"]) == (False, sql, "")
    cli = fix_with_cli({"bad.sql": sql}, LintOptions(dialect="ansi"), tmp_path)
    assert cli["bad.sql"] == sql


def test_409_until_final_and_for_jobs_without_fix(stack: Stack) -> None:
    # Fixing this takes SQLFluff seconds: long enough to ask while the task runs.
    slow = "select a,b from t where x=1;\n" * 60
    status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": slow, "fix": True})
    assert status == 202, body
    deadline = time.monotonic() + 60
    task: dict[str, Any] = {}
    while not task and time.monotonic() < deadline:
        _, job = stack.request("GET", f"/api/v1/jobs/{body['job_id']}")
        task = job["tasks"][0] if job.get("tasks") else {}
        time.sleep(0.1)
    assert task, "the task never appeared"
    status, early = _fix(stack, task["task_id"])
    assert (status, early["error"]["code"]) == (409, "TASK_NOT_FINISHED"), early
    [done] = stack.wait_job(body["job_id"], timeout=240)["tasks"]
    status, fix = _fix(stack, done["task_id"])
    assert status == 200 and fix["fixed"] is True, fix

    status, plain = stack.request("POST", "/api/v1/jobs", {"sql_content": "select a,b from t\n"})
    [lint_only] = stack.wait_job(plain["job_id"])["tasks"]
    status, refused = _fix(stack, lint_only["task_id"])
    assert (status, refused["error"]["code"]) == (409, "FIX_NOT_REQUESTED")
    assert stack.request("GET", "/api/v1/tasks/not-a-uuid/fix")[0] == 400
    assert stack.request("GET", f"/api/v1/tasks/{body['job_id']}/fix")[0] == 404
