"""API keys at the ingest: every role against every ability, with authentication on and off.

Each ability is probed through a real route whose answer, once past the
middleware, is known without a broker: SUBMIT a body that is not JSON (400),
READ the job list (200), MONITOR the hosts view (200), CONTROL a bad action
(400). So 401/403 can only come from authentication, and anything else proves
the caller got through.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from pydantic import SecretStr
from sqlalchemy import select, update

from ingest.app import create_app
from ingest.principal import principal_of
from ingest.settings import IngestSettings
from runtime.access import ABILITIES, Ability, Role
from runtime.api_keys import create_key, revoke_key
from runtime.db import create_db_engine
from runtime.tables import api_keys

Client = TestClient[web.Request, web.Application]
Serve = Callable[..., AbstractAsyncContextManager[Client]]
TOKEN = "operator-bootstrap-token"
CONTROL = "/api/v1/monitoring/workers/processors@h-1/control"
PROBES: dict[Ability, tuple[str, str, bytes | None, int]] = {
    Ability.SUBMIT: ("POST", "/api/v1/jobs", b"{not json", 400),
    Ability.READ: ("GET", "/api/v1/jobs", None, 200),
    Ability.MONITOR: ("GET", "/api/v1/monitoring/system", None, 200),
    Ability.CONTROL: ("POST", CONTROL, b'{"action": "reboot"}', 400),
}


def make_key(db_url: str, role: Role | str, tenant: str = "team-a") -> str:
    """A new key of ``role``, made the way ``sqllint-admin keys create`` makes it."""
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as conn:
            return create_key(conn, tenant, role)[1]
    finally:
        engine.dispose()


@pytest.fixture
def serve(db_url: str, storage_root: Path) -> Serve:
    @asynccontextmanager
    async def serving(**overrides: object) -> AsyncIterator[Client]:
        settings = IngestSettings(
            kafka_bootstrap_servers="127.0.0.1:1", database_url=db_url, nfs_share_root_path=storage_root,
            monitoring_timeout_s=0.5, **overrides,
        )
        async with TestClient(TestServer(create_app(settings))) as client:
            yield client

    return serving


async def call(client: Client, ability: Ability, key: str | None) -> tuple[int, str | None]:
    method, path, body, _ = PROBES[ability]
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    resp = await client.request(method, path, data=body, headers=headers)
    code = (await resp.json())["error"]["code"] if resp.status >= 400 else None
    if resp.status == 401:
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="sqllint"'
    return resp.status, code


@pytest.mark.parametrize("auth_required", [True, False])
async def test_each_role_does_what_the_table_says(serve: Serve, db_url: str, auth_required: bool) -> None:
    keys = {role: make_key(db_url, role) for role in Role}
    async with serve(auth_required=auth_required) as client:
        for role, key in keys.items():
            for ability, (_, path, _, allowed) in PROBES.items():
                expected = (allowed, None) if allowed < 400 else (allowed, "INVALID_JSON")
                got = await call(client, ability, key)
                if ability in ABILITIES[role]:
                    assert got[0] == expected[0], (role, path, got)
                else:
                    assert got == (403, "FORBIDDEN"), (role, path)


async def test_with_auth_required_a_missing_or_bad_key_is_401(serve: Serve, db_url: str) -> None:
    good = make_key(db_url, Role.ADMIN)
    revoked = make_key(db_url, Role.ADMIN)
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        revoke_key(conn, revoked.split("_")[1])
    engine.dispose()
    bad = (None, revoked, good[:-1] + ("A" if good[-1] != "A" else "B"), "sqll_x_y", f"{good} extra")
    async with serve(auth_required=True) as client:
        for ability in Ability:
            for key in bad:
                assert await call(client, ability, key) == (401, "UNAUTHORIZED"), (ability, key)
        for scheme in ("Basic abc", "Bearer", "Bearer  ", good):
            resp = await client.get("/api/v1/jobs", headers={"Authorization": scheme})
            assert resp.status == 401, scheme


async def test_with_auth_off_no_key_submits_reads_and_monitors_but_never_controls(serve: Serve) -> None:
    async with serve(auth_required=False) as client:
        assert (await call(client, Ability.SUBMIT, None))[0] == 400
        assert (await call(client, Ability.READ, None))[0] == 200
        assert (await call(client, Ability.MONITOR, None))[0] == 200
        assert await call(client, Ability.CONTROL, None) == (401, "UNAUTHORIZED")
        # A key that is presented is still checked.
        assert await call(client, Ability.READ, "sqll_0123456789abcdef_" + "x" * 43) == (401, "UNAUTHORIZED")


@pytest.mark.parametrize("auth_required", [True, False])
async def test_operator_token_acts_as_an_operator(serve: Serve, auth_required: bool) -> None:
    async with serve(auth_required=auth_required, operator_token=SecretStr(TOKEN)) as client:
        assert (await call(client, Ability.CONTROL, TOKEN))[0] == 400
        assert (await call(client, Ability.MONITOR, TOKEN))[0] == 200
        assert await call(client, Ability.READ, TOKEN) == (403, "FORBIDDEN")
        assert await call(client, Ability.CONTROL, TOKEN + "x") == (401, "UNAUTHORIZED")


async def test_public_routes_need_no_key(serve: Serve) -> None:
    async with serve(auth_required=True) as client:
        for path in ("/health/live", "/metrics", "/", "/api/v1/openapi.json", "/api/v1/docs"):
            resp = await client.get(path)
            assert resp.status == 200, path
        preflight = await client.options("/api/v1/jobs", headers={"Origin": "https://x.example"})
        assert preflight.status != 401


async def test_a_revoked_key_stops_within_the_cache_time(serve: Serve, db_url: str) -> None:
    key = make_key(db_url, Role.READER)
    engine = create_db_engine(db_url)
    async with serve(auth_required=True, auth_cache_s=0.5) as client:
        assert (await call(client, Ability.READ, key))[0] == 200
        with engine.begin() as conn:
            assert revoke_key(conn, key.split("_")[1])
        assert (await call(client, Ability.READ, key))[0] == 200  # trusted from the cache a moment more
        await asyncio.sleep(0.6)
        assert await call(client, Ability.READ, key) == (401, "UNAUTHORIZED")
    engine.dispose()


async def test_last_use_is_recorded_at_most_once_a_minute(serve: Serve, db_url: str) -> None:
    key = make_key(db_url, Role.READER)
    engine = create_db_engine(db_url)
    async with serve(auth_required=True, auth_cache_s=0) as client:
        assert (await call(client, Ability.READ, key))[0] == 200
        with engine.begin() as conn:
            assert conn.execute(select(api_keys.c.last_used_at)).scalar_one() is not None
            conn.execute(update(api_keys).values(last_used_at=None))
        assert (await call(client, Ability.READ, key))[0] == 200
        with engine.connect() as conn:
            assert conn.execute(select(api_keys.c.last_used_at)).scalar_one() is None
    engine.dispose()


def test_auth_off_is_logged_loudly_at_start(
    db_url: str, storage_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = {"database_url": db_url, "nfs_share_root_path": storage_root}
    with caplog.at_level(logging.WARNING, logger="ingest.auth"):
        create_app(IngestSettings(**base, auth_required=True))
        assert not caplog.records
        create_app(IngestSettings(**base, auth_required=False))
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and "AUTHENTICATION IS OFF" in record.getMessage()


def test_principal_of_is_strict_where_the_middleware_did_not_run() -> None:
    with pytest.raises(RuntimeError, match="not guarded"):
        principal_of(make_mocked_request("GET", "/"))
