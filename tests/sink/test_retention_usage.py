"""The daily usage rows of the ingest's quota are purged with the retention, on SQLite and MariaDB.

The rows are written by the ingest's own quota (``DailyBytes``) at chosen
moments, so the purge is checked against the rows the service really writes.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from ingest.quota import DailyBytes
from runtime.tables import tenant_usage
from runtime.tenant_limits import TenantLimitTable
from sink.retention import cutoff, purge_rows
from sink.retention_loop import RetentionLoop
from sink.settings import SinkSettings

NOW = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def _use(engine: Engine, tenant: str, at: datetime, nbytes: int = 10) -> None:
    await DailyBytes(engine, TenantLimitTable(), clock=lambda: at).reserve(tenant, nbytes)


def _days(engine: Engine) -> set[tuple[str, int]]:
    """(tenant, days before NOW) of every usage row."""
    with engine.connect() as conn:
        rows = conn.execute(select(tenant_usage.c.tenant, tenant_usage.c.day)).all()
    return {(tenant, (NOW.date() - day).days) for tenant, day in rows}


async def test_usage_rows_of_days_past_the_retention_are_purged_and_today_stays(engine: Engine) -> None:
    for tenant in ("acme", "globex"):
        for age in (40, 31, 30, 29, 0):
            await _use(engine, tenant, NOW - age * DAY)
    purged = purge_rows(engine, cutoff(NOW.replace(tzinfo=None), 30), batch=2)
    assert purged.usage == 4  # 40 and 31 days old, for each tenant
    assert _days(engine) == {(t, age) for t in ("acme", "globex") for age in (30, 29, 0)}
    assert purge_rows(engine, cutoff(NOW.replace(tzinfo=None), 30), batch=2).usage == 0  # idempotent


async def test_a_retention_shorter_than_a_day_never_purges_today(engine: Engine) -> None:
    await _use(engine, "acme", NOW)
    await _use(engine, "acme", NOW - DAY)
    assert purge_rows(engine, cutoff(NOW.replace(tzinfo=None), 0.4), batch=10).usage == 1
    assert _days(engine) == {("acme", 0)}


async def test_the_sinks_retention_round_purges_usage_rows(engine: Engine, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    await _use(engine, "acme", now - 40 * DAY)
    await _use(engine, "acme", now)
    settings = SinkSettings(
        kafka_bootstrap_servers="127.0.0.1:1",
        database_url=str(engine.url.render_as_string(hide_password=False)),
        nfs_share_root_path=tmp_path,
        retention_days=30,
    )
    purged, _ = RetentionLoop(settings, lambda: engine).run_once()
    assert purged.usage == 1
    with engine.connect() as conn:
        assert conn.execute(select(tenant_usage.c.day)).scalars().all() == [now.date()]
