"""``sqllint --api-key`` / ``SQLLINT_API_KEY`` against a real ingest that requires keys."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from client.cli import main
from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.db import create_db_engine
from runtime.tables import jobs
from tests.client.test_client import DIRTY, fake_sink
from tests.ingest.test_auth import make_key

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def keyed_settings(settings: IngestSettings) -> IngestSettings:
    return settings.model_copy(update={"auth_required": True})


@pytest.fixture
async def keyed(keyed_settings: IngestSettings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(keyed_settings))) as test_client:
        yield test_client


def _args(client: Client, path: Path, *extra: str) -> list[str]:
    url = str(client.make_url("/")).rstrip("/")
    return ["--url", url, "--poll-interval", "0.05", "--timeout", "60", *extra, str(path)]


def _tenant_of_the_job(db_url: str) -> str:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(select(jobs.c.tenant)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    path = tmp_path / "dirty.sql"
    path.write_text(DIRTY)
    return path


@pytest.mark.parametrize("given", ["option", "environment"])
async def test_the_key_is_sent_and_the_job_is_its_tenants(
    keyed: Client, keyed_settings: IngestSettings, dirty: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    key = make_key(keyed_settings.database_url, "submitter", tenant="team-a")
    if given == "environment":
        monkeypatch.setenv("SQLLINT_API_KEY", key)
        extra: tuple[str, ...] = ()
    else:
        monkeypatch.delenv("SQLLINT_API_KEY", raising=False)
        extra = ("--api-key", key)
    cli = asyncio.to_thread(main, _args(keyed, dirty, *extra))
    code, _ = await asyncio.gather(cli, asyncio.to_thread(fake_sink, keyed_settings))
    assert code == 1  # the violations, read back with the key
    assert _tenant_of_the_job(keyed_settings.database_url) == "team-a"


REFUSED = [(None, "UNAUTHORIZED"), ("reader", "FORBIDDEN"), ("bad", "UNAUTHORIZED")]


@pytest.mark.parametrize(("role", "code"), REFUSED)
async def test_no_key_a_bad_key_or_a_role_without_submit_exits_2(
    keyed: Client, keyed_settings: IngestSettings, dirty: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], role: str | None, code: str,
) -> None:
    monkeypatch.delenv("SQLLINT_API_KEY", raising=False)
    extra: tuple[str, ...] = ()
    if role == "bad":
        extra = ("--api-key", "sqll_0123456789abcdef_" + "x" * 43)
    elif role is not None:
        extra = ("--api-key", make_key(keyed_settings.database_url, role))
    assert await asyncio.to_thread(main, _args(keyed, dirty, *extra)) == 2
    assert code in capsys.readouterr().err
