"""The few rows the ingest writes itself: an accepted job's first row and idempotency keys.

Both are insert-if-absent. The jobs row may already exist because the sink
consumed the event first; an idempotency key row is the lock that makes two
racing requests with the same key resolve to a single job.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from runtime.tables import idempotency_keys, jobs
from schemas.events import JobSubmitted
from schemas.statuses import JobStatus

PENDING = ""


def utc_naive() -> datetime:
    """The tables store naive UTC timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def insert_accepted_job(conn: Connection, job: JobSubmitted) -> None:
    """First row of a job; raises IntegrityError when the row exists already."""
    now = job.submitted_at.astimezone(UTC).replace(tzinfo=None)
    conn.execute(
        insert(jobs).values(
            job_id=str(job.job_id),
            submission_type=job.submission_type.value,
            status=JobStatus.ACCEPTED.value,
            source_name=job.file_name,
            options_json=job.options.model_dump_json(),
            tasks_succeeded=0,
            tasks_failed=0,
            violation_count=0,
            created_at=now,
            updated_at=now,
        )
    )


def insert_key(conn: Connection, key: str, request_hash: str, job_id: str) -> None:
    """Claim an idempotency key while its job is published; IntegrityError if taken."""
    conn.execute(
        insert(idempotency_keys).values(
            idempotency_key=key,
            request_hash=request_hash,
            job_id=job_id,
            response_json=PENDING,
            created_at=utc_naive(),
        )
    )


def get_key(conn: Connection, key: str) -> dict[str, Any] | None:
    """The stored claim of a key, or None (it may have been released meanwhile)."""
    query = select(idempotency_keys).where(idempotency_keys.c.idempotency_key == key)
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def complete_key(conn: Connection, key: str, job_id: str, response_json: str) -> None:
    """Store the answer a replay of this key gets."""
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.idempotency_key == key, idempotency_keys.c.job_id == job_id)
        .values(response_json=response_json)
    )


def release_key(conn: Connection, key: str, job_id: str) -> None:
    """Forget a claim whose job was not accepted, so the client may retry."""
    conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.idempotency_key == key, idempotency_keys.c.job_id == job_id
        )
    )
