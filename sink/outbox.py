"""The webhook outbox: queued in the transaction that finishes a job, claimed and settled by the loop.

Writing the delivery row in the same transaction as the job's final status
(:func:`enqueue`, called by :mod:`sink.store`) means a committed final job
always has its callback queued and a rolled-back one never has: no callback
is lost in a crash between the two, nor sent for a job that is not final.

Claiming is a short transaction of its own: due rows are read with
``FOR UPDATE SKIP LOCKED`` (MariaDB; SQLite runs one sink and ignores it), so
concurrent sink replicas each take different rows without waiting, and each
claimed row is leased (its next attempt pushed past the request's timeout)
before the transaction commits, so no other replica takes it while it is being
sent. The outcome is written only if the row is still at the attempt that
was claimed, so a late answer cannot overwrite a newer attempt's.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from runtime.rows import Row
from runtime.tables import jobs, webhook_deliveries

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"
_MAX_ERROR = 2000


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for one attempt: its URL, the attempt number, and its job's row."""

    job_id: str
    url: str
    attempt: int
    created_at: datetime
    job: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: ``state`` next, and when to try again while PENDING."""

    state: str
    status_code: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None


def keep_callbacks(conn: Connection, rows: Iterable[Row]) -> None:
    """Give jobs their callback URL when the row was first written without it (a placeholder)."""
    for row in rows:
        if row.get("callback_url"):
            conn.execute(
                update(jobs)
                .where(jobs.c.job_id == row["job_id"], jobs.c.callback_url.is_(None))
                .values(callback_url=row["callback_url"])
            )


def enqueue(conn: Connection, job_ids: Collection[str], now: datetime) -> int:
    """Queue the callbacks of ``job_ids`` (just made final by this transaction); return how many."""
    if not job_ids:
        return 0
    wanted = select(jobs.c.job_id, jobs.c.callback_url).where(
        jobs.c.job_id.in_(sorted(job_ids)), jobs.c.callback_url.is_not(None)
    )
    known = select(webhook_deliveries.c.job_id).where(webhook_deliveries.c.job_id.in_(sorted(job_ids)))
    queued = set(conn.execute(known).scalars())
    rows = [
        {
            "job_id": job_id,
            "url": url,
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for job_id, url in conn.execute(wanted)
        if job_id not in queued
    ]
    if rows:
        conn.execute(insert(webhook_deliveries), rows)
    return len(rows)


def claim_due(conn: Connection, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to ``limit`` due deliveries for one attempt each, leased until ``now + lease``."""
    d = webhook_deliveries.c
    due = (
        select(d.job_id, d.url, d.attempts, d.created_at)
        .where(d.state == PENDING, d.next_attempt_at <= now)
        .order_by(d.next_attempt_at, d.job_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    taken = conn.execute(due).all()
    if not taken:
        return []
    summaries = conn.execute(select(jobs).where(jobs.c.job_id.in_([row.job_id for row in taken])))
    by_id = {row["job_id"]: dict(row) for row in summaries.mappings()}
    claimed = []
    for row in taken:
        conn.execute(
            update(webhook_deliveries)
            .where(d.job_id == row.job_id)
            .values(attempts=row.attempts + 1, last_attempt_at=now, next_attempt_at=now + lease)
        )
        claimed.append(Claimed(row.job_id, row.url, row.attempts + 1, row.created_at, by_id[row.job_id]))
    return claimed


def settle(conn: Connection, claimed: Claimed, outcome: Outcome, now: datetime) -> bool:
    """Record ``outcome`` unless another attempt has claimed the row since; True when recorded."""
    d = webhook_deliveries.c
    values: dict[str, Any] = {
        "state": outcome.state,
        "last_status_code": outcome.status_code,
        "last_error": None if outcome.error is None else outcome.error[:_MAX_ERROR],
    }
    if outcome.state == DELIVERED:
        values["delivered_at"] = now
    if outcome.next_attempt_at is not None:
        values["next_attempt_at"] = outcome.next_attempt_at
    mine = (d.job_id == claimed.job_id, d.attempts == claimed.attempt, d.state == PENDING)
    return conn.execute(update(webhook_deliveries).where(*mine).values(values)).rowcount == 1
