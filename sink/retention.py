"""Retention: purging old rows and deleting what the service itself stored for a finished job.

State is derived, never kept: a row is purged when its job is final and
finished more than ``SINK_RETENTION_DAYS`` ago; a job's folder under
``<root>/jobs/<id>/`` is cleaned when the database says the job is final, so
nothing is deleted before its results are committed (a job becomes final in
the transaction that writes its last result). The sweep may crash or run on
two replicas at once: each step is a delete of something that may already be
gone. The fixes (``fixes/``) are served until the row is purged, so they stay
until then; a folder whose row is gone is removed once it is older than the
retention, which also covers a job accepted but never materialised (the
ingest writes the files before the row). Files outside ``jobs/`` (a tenant's
``zip_file_path``) are never touched. A tenant's daily usage row
(``tenant_usage``, the ingest's bytes-per-day quota) goes once its UTC day is
older than the retention: only today's row is ever read, so the older ones
are history, kept as long as the jobs they counted.
"""

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select

from runtime.tables import idempotency_keys, jobs, tasks, tenant_usage, webhook_deliveries
from schemas.statuses import JOB_FINAL

FIXES = "fixes"


@dataclass
class Purged:
    """What one purge removed, for the log and the tests."""

    jobs: int = 0
    keys: int = 0
    usage: int = 0


def purge_rows(engine: Engine, cutoff: datetime, batch: int) -> Purged:
    """Delete final jobs finished before ``cutoff`` with their tasks, deliveries, old keys and usage rows.

    ``batch`` jobs (or keys) a transaction, so no lock is held long and a crash loses nothing.
    """
    done = Purged()
    final = [str(s) for s in JOB_FINAL]
    # created_at <= finished_at, so the (status, created_at) index narrows the scan.
    old = (jobs.c.status.in_(final), jobs.c.created_at < cutoff, jobs.c.finished_at < cutoff)
    while True:
        with engine.begin() as conn:
            ids = list(conn.execute(select(jobs.c.job_id).where(*old).limit(batch)).scalars())
            if not ids:
                break
            conn.execute(delete(tasks).where(tasks.c.job_id.in_(ids)))
            conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.job_id.in_(ids)))
            conn.execute(delete(jobs).where(jobs.c.job_id.in_(ids)))
        done.jobs += len(ids)
    key, expired = idempotency_keys.c.idempotency_key, idempotency_keys.c.created_at < cutoff
    while True:
        with engine.begin() as conn:
            names = list(conn.execute(select(key).where(expired).limit(batch)).scalars())
            # Expired again in the delete: another tenant may hold a fresh key of the same name.
            gone = conn.execute(delete(idempotency_keys).where(key.in_(names), expired)) if names else None
        done.keys += gone.rowcount if gone is not None else 0
        if len(names) < batch:
            break
    done.usage = purge_usage(engine, cutoff)
    return done


def purge_usage(engine: Engine, cutoff: datetime) -> int:
    """Delete the daily usage rows of UTC days before ``cutoff``'s: never today's, which the quota reads.

    One statement: the table holds a row per tenant and day, a few thousand at most.
    """
    with engine.begin() as conn:
        return conn.execute(delete(tenant_usage).where(tenant_usage.c.day < cutoff.date())).rowcount


def _statuses(engine: Engine, ids: list[str]) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(jobs.c.job_id, jobs.c.status).where(jobs.c.job_id.in_(ids)))
        return {job_id: status for job_id, status in rows}


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _clean(folder: Path, status: str | None, orphan_before: float) -> int:
    """Remove what may go from one job's folder; return how many entries were removed."""
    if status is None:
        if folder.stat().st_mtime >= orphan_before:
            return 0  # accepted, its row not written yet (or purged a moment ago): wait
        _remove(folder)
        return 1
    if status not in JOB_FINAL:
        return 0
    doomed = [entry for entry in folder.iterdir() if entry.name != FIXES]
    for entry in doomed:
        _remove(entry)
    if not (folder / FIXES).exists():
        folder.rmdir()
        return len(doomed) + 1
    return len(doomed)


def sweep_files(engine: Engine, root: Path, orphan_before: float, batch: int) -> int:
    """Clean every job folder under ``root/jobs``; return how many entries were removed.

    A row-less folder goes only when its mtime (epoch seconds) is before ``orphan_before``.
    """
    base = root / "jobs"
    if not base.is_dir():
        return 0  # the storage root is not mounted here: nothing to do, nothing to guess
    folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink())
    removed = 0
    for start in range(0, len(folders), batch):
        chunk = folders[start : start + batch]
        statuses = _statuses(engine, [p.name for p in chunk])
        for folder in chunk:
            try:
                removed += _clean(folder, statuses.get(folder.name), orphan_before)
            except FileNotFoundError:
                continue  # another replica's sweep got there first
    return removed


def cutoff(now: datetime, days: float) -> datetime:
    """The moment before which a finished job's rows are purged."""
    return now - timedelta(days=days)
