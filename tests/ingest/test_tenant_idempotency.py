"""Idempotency keys are each tenant's own, on SQLite and MariaDB.

The same key from two tenants is two claims: each goes on to its own job,
each replays only its own answer, and one tenant's retry or release never
touches the other's row. (The HTTP side, two tenants' keys making two jobs on
the real broker, is in test_access_matrix.)
"""

import asyncio
import uuid

import pytest
from sqlalchemy import select

from ingest.errors import RequestRejectedError
from ingest.idempotency import IdempotencyKeys
from ingest.views import JobAccepted
from runtime.db import create_db_engine
from runtime.tables import idempotency_keys
from schemas.statuses import SubmissionType

pytestmark = pytest.mark.integration
KEY = "retry-me"


@pytest.fixture(params=["sqlite", "mariadb"])
def migrated(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("db_url" if request.param == "sqlite" else "mysql_migrated_url"))


def _answer(job_id: uuid.UUID) -> JobAccepted:
    return JobAccepted(job_id=job_id, submission_type=SubmissionType.SINGLE_FILE, status_url=f"/j/{job_id}")


async def test_one_key_two_tenants_two_jobs(migrated: str) -> None:
    engine = create_db_engine(migrated)
    keys = IdempotencyKeys(engine)
    acme_job, globex_job = uuid.uuid4(), uuid.uuid4()
    try:
        async with keys.guard(KEY, "acme"), keys.guard(KEY, "globex"):  # no lock shared across tenants
            assert await keys.claim(KEY, "fp-acme", acme_job, "acme") is None
            assert await keys.claim(KEY, "fp-globex", globex_job, "globex") is None
        await keys.complete(KEY, _answer(acme_job), "acme")
        # globex's claim is still in flight: its retry waits, and is never given acme's answer
        with pytest.raises(RequestRejectedError) as in_flight:
            await keys.claim(KEY, "fp-globex", uuid.uuid4(), "globex")
        assert in_flight.value.code == "IDEMPOTENCY_KEY_IN_FLIGHT"
        replay = await keys.claim(KEY, "fp-acme", uuid.uuid4(), "acme")
        assert replay is not None and replay.job_id == acme_job
        # another body under acme's key is acme's conflict only
        with pytest.raises(RequestRejectedError) as reused:
            await keys.claim(KEY, "fp-globex", uuid.uuid4(), "acme")
        assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
        await keys.release(KEY, globex_job, "globex")  # globex's publish failed
        await keys.release(KEY, acme_job, "globex")  # names acme's job, but as globex: touches nothing
        with engine.connect() as conn:
            rows = conn.execute(select(idempotency_keys.c.tenant, idempotency_keys.c.job_id)).all()
        assert [tuple(r) for r in rows] == [("acme", str(acme_job))]
        again = uuid.uuid4()
        assert await keys.claim(KEY, "fp-other", again, "globex") is None  # globex's key is free again
        await keys.complete(KEY, _answer(again), "globex")
        replay = await keys.claim(KEY, "fp-other", uuid.uuid4(), "globex")
        assert replay is not None and replay.job_id == again
    finally:
        engine.dispose()


async def test_racing_tenants_with_one_key_both_go_on(migrated: str) -> None:
    engine = create_db_engine(migrated)
    keys = IdempotencyKeys(engine)
    tenants = [f"t{i}" for i in range(6)]

    async def claim(tenant: str) -> JobAccepted | None:
        async with keys.guard(KEY, tenant):
            return await keys.claim(KEY, "same-body", uuid.uuid4(), tenant)

    try:
        assert await asyncio.gather(*(claim(t) for t in tenants)) == [None] * len(tenants)
        with engine.connect() as conn:
            owners = sorted(conn.execute(select(idempotency_keys.c.tenant)).scalars())
        assert owners == tenants
    finally:
        engine.dispose()
