"""The ``sqllint`` command against a served app, with the sink's work simulated.

The simulated sink lints the uploaded files with SQLFluff itself and writes
the rows the real sink would, so the command's output and exit status are
compared with what SQLFluff reports for the same files.
"""

import asyncio
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlfluff
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from client.cli import main
from client.report import exit_code, summary
from ingest.settings import IngestSettings
from reports import render
from runtime.db import create_db_engine
from runtime.tables import jobs
from tests.ingest.rows import add_task

Client = TestClient[web.Request, web.Application]
DIRTY = "SELECT a+b  FROM t\n"
CLEAN = "select a from t\n"


def record(name: str, sql: str) -> dict[str, Any]:
    return {"filepath": name, "violations": sqlfluff.lint(sql, dialect="ansi")}


def _files_of(job_dir: Path) -> list[tuple[str, str]]:
    [upload] = list(job_dir.iterdir())
    if upload.suffix == ".zip":
        with zipfile.ZipFile(upload) as zf:
            return [(n, zf.read(n).decode()) for n in zf.namelist() if n.endswith(".sql")]
    return [(upload.name, upload.read_text())]


def _finish_first_job(db_url: str, root: Path) -> bool:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            job_id = conn.execute(select(jobs.c.job_id)).scalar()
        if job_id is None:
            return False
        files = _files_of(root / "jobs" / job_id)
        violations = 0
        for ordinal, (name, sql) in enumerate(files):
            rec = record(name, sql)
            violations += len(rec["violations"])
            add_task(db_url, job_id, ordinal, "SUCCESS", rec)
        with engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.job_id == job_id)
                .values(
                    status="COMPLETED",
                    task_count=len(files),
                    tasks_succeeded=len(files),
                    violation_count=violations,
                )
            )
        return True
    finally:
        engine.dispose()


def fake_sink(settings: IngestSettings) -> None:
    """Waits for the job's first row (the CLI submits concurrently), then finishes it."""
    deadline = time.monotonic() + 60
    while not _finish_first_job(settings.database_url, settings.nfs_share_root_path):
        if time.monotonic() > deadline:
            raise AssertionError("the command never submitted a job")
        time.sleep(0.05)


async def run_cli(client: Client, settings: IngestSettings, *args: str) -> int:
    url = str(client.make_url("/")).rstrip("/")
    cli = asyncio.to_thread(main, ["--url", url, "--poll-interval", "0.05", "--timeout", "60", *args])
    code, _ = await asyncio.gather(cli, asyncio.to_thread(fake_sink, settings))
    return code


@pytest.mark.integration
async def test_file_with_violations_exits_1(
    client: Client, settings: IngestSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dirty.sql"
    path.write_text(DIRTY)
    assert await run_cli(client, settings, str(path)) == 1
    violations = sqlfluff.lint(DIRTY)
    assert violations
    by_position = sorted(violations, key=lambda v: (v["start_line_no"], v["start_line_pos"]))
    lines = [
        f"{path}:{v['start_line_no']}:{v['start_line_pos']}: {v['code']} {v['description']}"
        for v in by_position
    ]
    summary = f"1 file(s) checked, {len(violations)} violation(s)"
    assert capsys.readouterr().out == "\n".join(lines) + f"\n\n{summary}\n"


@pytest.mark.integration
async def test_clean_folder_exits_0_and_prints_json(
    client: Client, settings: IngestSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "project"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.sql").write_text(CLEAN)
    (folder / "sub" / "b.sql").write_text(CLEAN)
    (folder / "notes.txt").write_text("ignored")
    assert await run_cli(client, settings, "--format", "json", str(folder)) == 0
    printed = json.loads(capsys.readouterr().out)
    # Records name the user's files as sqlfluff would, not the archive's members.
    assert printed == [record(str(folder / "a.sql"), CLEAN), record(str(folder / "sub" / "b.sql"), CLEAN)]
    assert printed[0]["violations"] == []


@pytest.mark.integration
async def test_rejected_submission_exits_2(
    client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.sql"
    path.write_text(CLEAN)
    url = str(client.make_url("/")).rstrip("/")
    code = await asyncio.to_thread(main, ["--url", url, "--dialect", "cobol", str(path)])
    assert code == 2
    assert "UNKNOWN_DIALECT" in capsys.readouterr().err


def test_unreachable_server_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.sql"
    path.write_text(CLEAN)
    assert main(["--url", "http://127.0.0.1:1", str(path)]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_wrong_path_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert main([str(tmp_path / "a.txt")]) == 2


def test_report_and_exit_codes() -> None:
    dirty, clean = record("d.sql", DIRTY), record("c.sql", CLEAN)
    failed = {"filepath": "f.sql", "violations": [], "error": {"code": "FILE_TOO_LARGE", "message": "big"}}
    text = render("human", [dirty, clean, failed])
    assert text.endswith(summary([dirty, clean, failed]))
    assert "f.sql: ERROR FILE_TOO_LARGE big" in text
    assert text.endswith(f"3 file(s) checked, {len(dirty['violations'])} violation(s), 1 file(s) failed")
    assert "c.sql" not in text
    assert exit_code("COMPLETED", [clean]) == 0
    assert exit_code("COMPLETED", [clean, dirty]) == 1
    assert exit_code("PARTIALLY_COMPLETED", [dirty, failed]) == 2
    assert exit_code("FAILED", []) == 2
