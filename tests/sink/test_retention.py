"""Retention on the real database (SQLite and MariaDB) and a real storage root.

The job folders are written by the service's own writers (the ingest's
storage, the processors' task files and large fixes), so the sweep is checked
against every kind of file the service stores, not a layout guessed here.
"""

import asyncio
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import Engine, Table, func, insert, select

from ingest.storage import Storage
from processors.fix_transport import fix_file_relpaths
from processors.storage import task_file_relpath, write_task_file
from runtime.tables import idempotency_keys, jobs, tasks, webhook_deliveries
from schemas.statuses import JobStatus
from sink.retention import cutoff, purge_rows, sweep_files

NOW = datetime(2026, 11, 30, 12, 0, 0)
DAY = timedelta(days=1)


def _add_job(engine: Engine, status: JobStatus, finished: datetime | None, tasks_n: int = 3) -> str:
    job_id = str(uuid4())
    created = (finished or NOW) - timedelta(minutes=5)
    with engine.begin() as conn:
        conn.execute(
            insert(jobs).values(
                job_id=job_id,
                submission_type="ZIP_ARCHIVE",
                status=str(status),
                options_json="{}",
                created_at=created,
                updated_at=finished or created,
                finished_at=finished,
            )
        )
        for n in range(tasks_n):
            conn.execute(
                insert(tasks).values(
                    task_id=str(uuid4()),
                    job_id=job_id,
                    ordinal=n,
                    file_name=f"f{n}.sql",
                    status="SUCCESS",
                    created_at=created,
                    updated_at=created,
                )
            )
        conn.execute(
            insert(webhook_deliveries).values(
                job_id=job_id,
                url="https://example.org/hook",
                state="DELIVERED",
                next_attempt_at=created,
                created_at=created,
            )
        )
    return job_id


def _count(engine: Engine, table: Table, job_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(table).where(table.c.job_id == job_id)
        ).scalar_one()


def test_rows_past_the_retention_are_purged_in_batches_and_newer_ones_stay(engine: Engine) -> None:
    old = [_add_job(engine, JobStatus.COMPLETED, NOW - 40 * DAY) for _ in range(5)]
    old.append(_add_job(engine, JobStatus.FAILED, NOW - 31 * DAY))
    recent = _add_job(engine, JobStatus.COMPLETED, NOW - 29 * DAY)
    running = _add_job(engine, JobStatus.PROCESSING, None)
    with engine.connect() as conn:  # a running job may be old: it is never purged
        conn.execute(jobs.update().where(jobs.c.job_id == running).values(created_at=NOW - 90 * DAY))
        conn.commit()
    purged = purge_rows(engine, cutoff(NOW, 30), batch=2)
    assert purged.jobs == 6
    for job_id in old:
        assert [_count(engine, t, job_id) for t in (jobs, tasks, webhook_deliveries)] == [0, 0, 0]
    for job_id in (recent, running):
        assert [_count(engine, t, job_id) for t in (jobs, tasks, webhook_deliveries)] == [1, 3, 1]
    assert purge_rows(engine, cutoff(NOW, 30), batch=2).jobs == 0  # idempotent


def test_idempotency_keys_older_than_the_retention_are_purged(engine: Engine) -> None:
    """Each tenant's own: a stale key never takes another tenant's fresh key of the same name with it."""
    with engine.begin() as conn:
        for tenant, name, age in (("acme", "old-1", 31), ("acme", "old-2", 45), ("globex", "old-1", 1)):
            conn.execute(
                insert(idempotency_keys).values(
                    tenant=tenant,
                    idempotency_key=name,
                    request_hash="h",
                    job_id=str(uuid4()),
                    response_json="{}",
                    created_at=NOW - age * DAY,
                )
            )
    assert purge_rows(engine, cutoff(NOW, 30), batch=1).keys == 2
    with engine.connect() as conn:
        left = conn.execute(select(idempotency_keys.c.tenant, idempotency_keys.c.idempotency_key)).all()
    assert [tuple(row) for row in left] == [("globex", "old-1")]


def _store_job_files(root: Path, job_id: str) -> dict[str, Path]:
    """Every kind of file the service writes for a job, by the service's own writers."""
    storage, job = Storage(root), UUID(job_id)
    upload = asyncio.run(storage.save_text(job, "upload.zip", "PK"))
    inline = asyncio.run(storage.save_text(job, "query.sql", "select 1\n"))
    member = task_file_relpath(job, uuid4())
    write_task_file(root, member, b"select 2\n")
    fix_sql, fix_diff = fix_file_relpaths(job, uuid4())
    write_task_file(root, fix_sql, b"SELECT 2\n")
    write_task_file(root, fix_diff, b"-select\n+SELECT\n")
    return {
        k: root / v
        for k, v in {
            "upload": upload,
            "inline": inline,
            "member": member,
            "fix_sql": fix_sql,
            "fix_diff": fix_diff,
        }.items()
    }


def test_sweep_keeps_fixes_until_the_row_goes_and_never_touches_running_or_tenant_files(
    engine: Engine, tmp_path: Path
) -> None:
    final = _add_job(engine, JobStatus.COMPLETED, NOW - DAY)
    running = _add_job(engine, JobStatus.PROCESSING, None)
    tenant_zip = tmp_path / "imports" / "team-a" / "repo.zip"
    tenant_zip.parent.mkdir(parents=True)
    tenant_zip.write_bytes(b"PK tenant's own")
    files = {job: _store_job_files(tmp_path, job) for job in (final, running)}
    assert sweep_files(engine, tmp_path, time.time() - 30 * 86400, batch=1) == 3
    done = files[final]
    assert [done[k].exists() for k in ("upload", "inline", "member")] == [False, False, False]
    assert done["fix_sql"].read_bytes() == b"SELECT 2\n" and done["fix_diff"].exists()  # still served
    assert all(p.exists() for p in files[running].values())
    assert tenant_zip.read_bytes() == b"PK tenant's own"
    assert sweep_files(engine, tmp_path, time.time() - 30 * 86400, batch=1) == 0  # idempotent

    purge_rows(engine, cutoff(NOW + 31 * DAY, 30), batch=10)  # the row goes: now the fixes may go
    folder = tmp_path / "jobs" / final
    os.utime(folder, (time.time() - 31 * 86400,) * 2)
    assert sweep_files(engine, tmp_path, time.time() - 30 * 86400, batch=10) == 1
    assert not folder.exists() and (tmp_path / "jobs" / running).is_dir() and tenant_zip.exists()


def test_a_folder_without_a_row_is_kept_while_young(engine: Engine, tmp_path: Path) -> None:
    """The ingest writes a job's files before its first row: a young row-less folder is a job in flight."""
    job_id = str(uuid4())
    stored = _store_job_files(tmp_path, job_id)
    assert sweep_files(engine, tmp_path, time.time() - 30 * 86400, batch=10) == 0
    assert all(p.exists() for p in stored.values())


def test_no_storage_root_mounted_is_no_work(engine: Engine, tmp_path: Path) -> None:
    assert sweep_files(engine, tmp_path / "not-mounted", time.time(), batch=10) == 0
