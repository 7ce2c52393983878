"""The daily bytes and the job slots on the real databases (SQLite and MariaDB), racing included."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import Engine, insert, select

from ingest.errors import DailyQuotaExceededError, TooManyActiveJobsError
from ingest.job_slots import FRESH_S, JobSlots
from ingest.quota import DailyBytes, seconds_to_midnight
from runtime.db import create_db_engine
from runtime.tables import jobs, tenant_usage
from runtime.tenant_limits import TenantLimits, TenantLimitTable
from schemas.statuses import JobStatus

LATE = datetime(2026, 11, 30, 23, 59, 30, tzinfo=UTC)


@pytest.fixture(params=["db_url", pytest.param("mysql_migrated_url", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    db = create_db_engine(request.getfixturevalue(request.param))
    yield db
    db.dispose()


def limits(**fields: float) -> TenantLimitTable:
    return TenantLimitTable(default=TenantLimits.model_validate(fields))


def usage(engine: Engine, tenant: str) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        query = select(tenant_usage.c.bytes, tenant_usage.c.jobs).where(tenant_usage.c.tenant == tenant)
        return [tuple(row) for row in conn.execute(query)]


async def test_bytes_count_up_to_the_limit_then_refuse_until_midnight(engine: Engine) -> None:
    daily = DailyBytes(engine, limits(max_bytes_per_day=100), clock=lambda: LATE)
    await daily.reserve("acme", 60)
    with pytest.raises(DailyQuotaExceededError) as caught:
        await daily.reserve("acme", 41)
    assert caught.value.retry_after_s == 30  # 23:59:30 to midnight UTC
    assert caught.value.code == "DAILY_QUOTA_EXCEEDED"
    await daily.reserve("acme", 40)  # exactly the limit is allowed
    await daily.reserve("globex", 100)  # another tenant's day is its own
    assert usage(engine, "acme") == [(100, 2)]
    midnight = datetime(2026, 12, 1, tzinfo=UTC)
    tomorrow = DailyBytes(engine, limits(max_bytes_per_day=100), clock=lambda: midnight)
    await tomorrow.reserve("acme", 100)
    assert sorted(usage(engine, "acme")) == [(100, 1), (100, 2)]


async def test_a_first_job_larger_than_the_day_is_refused_and_leaves_no_row(engine: Engine) -> None:
    daily = DailyBytes(engine, limits(max_bytes_per_day=100), clock=lambda: LATE)
    with pytest.raises(DailyQuotaExceededError):
        await daily.reserve("acme", 101)
    assert usage(engine, "acme") == []


async def test_a_refund_gives_the_bytes_and_the_job_back(engine: Engine) -> None:
    daily = DailyBytes(engine, limits(max_bytes_per_day=100), clock=lambda: LATE)
    kept = await daily.reserve("acme", 30)
    refused = await daily.reserve("acme", 70)
    await daily.refund(refused)
    assert usage(engine, "acme") == [(30, 1)]
    await daily.reserve("acme", 70)
    assert kept.nbytes == 30


async def test_replicas_racing_never_pass_the_limit_together(engine: Engine) -> None:
    """Three replicas (engines of their own), 30 reservations of 10 bytes at once against 95 a day."""
    url = engine.url.render_as_string(hide_password=False)
    replicas = [create_db_engine(url) for _ in range(3)]
    try:
        quotas = [DailyBytes(e, limits(max_bytes_per_day=95), clock=lambda: LATE) for e in replicas]
        results = await asyncio.gather(
            *(quotas[n % 3].reserve("acme", 10) for n in range(30)), return_exceptions=True
        )
    finally:
        for replica in replicas:
            replica.dispose()
    refused = [r for r in results if isinstance(r, DailyQuotaExceededError)]
    assert (len(results) - len(refused), len(refused)) == (9, 21), results
    assert usage(engine, "acme") == [(90, 9)]


async def test_reservations_arriving_together_are_judged_in_their_order(engine: Engine) -> None:
    """One process's concurrent reservations share a transaction: whole when they fit, else one by one."""
    daily = DailyBytes(engine, limits(max_bytes_per_day=100), clock=lambda: LATE)
    await daily.reserve("acme", 10)  # the day's row
    await asyncio.gather(*(daily.reserve("acme", 5) for _ in range(4)))  # 20 more: they fit whole
    assert usage(engine, "acme") == [(30, 5)]
    # 90 more do not fit whole in the 70 left: in order, the third (20) is the one refused
    asked = (daily.reserve("acme", n) for n in (30, 30, 20, 10))
    results = await asyncio.gather(*asked, return_exceptions=True)
    assert [type(r).__name__ for r in results] == [
        "Reservation", "Reservation", "DailyQuotaExceededError", "Reservation"
    ]
    assert usage(engine, "acme") == [(100, 8)]


def add_job(engine: Engine, tenant: str, status: JobStatus) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    row = {"job_id": str(uuid4()), "submission_type": "SINGLE_FILE", "status": status.value, "tenant": tenant}
    with engine.begin() as conn:
        conn.execute(insert(jobs).values(**row, options_json="{}", created_at=now, updated_at=now))


async def test_slots_count_the_tenants_unfinished_jobs_only(engine: Engine) -> None:
    slots = JobSlots(engine, limits(max_active_jobs=2))
    add_job(engine, "acme", JobStatus.ACCEPTED)
    add_job(engine, "acme", JobStatus.COMPLETED)
    add_job(engine, "acme", JobStatus.FAILED)
    add_job(engine, "globex", JobStatus.PROCESSING)
    add_job(engine, "globex", JobStatus.PROCESSING)
    await slots.admit("acme")  # one unfinished of its own: a slot is free
    with pytest.raises(TooManyActiveJobsError) as caught:
        await slots.admit("acme")  # the one being accepted counts before its row exists
    assert caught.value.retry_after_s >= 1
    slots.settle("acme")
    add_job(engine, "acme", JobStatus.PROCESSING)  # its row, written
    with pytest.raises(TooManyActiveJobsError):
        await slots.admit("acme")
    with pytest.raises(TooManyActiveJobsError):
        await slots.admit("globex")


async def test_a_count_is_reused_while_far_from_the_limit_and_redone_at_it(engine: Engine) -> None:
    """Between counts another replica's jobs go unseen (the documented race); at the limit it counts again."""
    now = [0.0]
    slots = JobSlots(engine, limits(max_active_jobs=5), clock=lambda: now[0])
    await slots.admit("acme")  # counted: 0 in the database
    for _ in range(3):
        add_job(engine, "acme", JobStatus.ACCEPTED)  # another replica's jobs, after the count
    await slots.admit("acme")  # within FRESH_S: the count is reused, estimate 1 + 1
    now[0] += FRESH_S
    with pytest.raises(TooManyActiveJobsError):
        await slots.admit("acme")  # counted again: 3 rows + the 2 in flight here
    slots.settle("acme")
    await slots.admit("acme")  # at the limit every request counts afresh: one slot came free


async def test_a_count_half_its_age_is_renewed_in_the_background_without_holding_requests(
    engine: Engine,
) -> None:
    """The next count starts at FRESH_S / 2, so no request waits for it; its result decides the next ones."""
    now = [0.0]
    slots = JobSlots(engine, limits(max_active_jobs=5), clock=lambda: now[0])
    await slots.admit("acme")  # counted: 0 in the database
    for _ in range(3):
        add_job(engine, "acme", JobStatus.ACCEPTED)  # another replica's jobs, after the count
    now[0] += FRESH_S / 2
    await slots.admit("acme")  # admitted on the count in hand (1 + 0), the next count starts
    await slots.counted()
    with pytest.raises(TooManyActiveJobsError, match="5 jobs are not finished yet"):
        await slots.admit("acme")  # the new count: 3 rows + the 2 in flight here, still fresh
    now[0] += FRESH_S / 4
    slots.settle("acme")
    await slots.admit("acme")  # at the limit every request counts afresh: one slot came free


async def test_racing_admissions_in_one_process_take_only_the_free_slots(engine: Engine) -> None:
    slots = JobSlots(engine, limits(max_active_jobs=3))
    results = await asyncio.gather(*(slots.admit("acme") for _ in range(20)), return_exceptions=True)
    assert sum(r is None for r in results) == 3
    assert all(isinstance(r, TooManyActiveJobsError) for r in results if r is not None)


def test_seconds_to_midnight_are_utc() -> None:
    assert seconds_to_midnight(datetime(2026, 11, 30, 0, 0, 0, tzinfo=UTC)) == 86400
    assert seconds_to_midnight(LATE) == 30
