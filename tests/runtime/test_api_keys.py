"""API keys on the real databases: made, listed without secrets, verified, revoked."""

import hashlib
from collections.abc import Iterator
from datetime import datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select

from runtime.access import Principal, Role
from runtime.api_keys import create_key, list_keys, revoke_key, touch_key, verify_key
from runtime.db import create_db_engine
from runtime.tables import api_keys
from sink.migrate import upgrade

T0 = datetime(2026, 11, 30, 5, 0, 0)
T1 = datetime(2026, 11, 30, 6, 0, 0)


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest, sqlite_db_url: str) -> Iterator[Engine]:
    url = sqlite_db_url if request.param == "sqlite" else request.getfixturevalue("mysql_db_url")
    upgrade(url)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def test_a_key_is_its_id_and_a_secret_and_only_the_digest_is_stored(engine: Engine) -> None:
    with engine.begin() as conn:
        key_id, key = create_key(conn, "team-a", "submitter", name="ci", now=T0)
    prefix, presented_id, secret = key.split("_", 2)
    assert (prefix, presented_id) == ("sqll", key_id)
    assert len(key_id) == 16 and int(key_id, 16) >= 0
    assert len(secret) >= 43
    with engine.connect() as conn:
        row = conn.execute(select(api_keys)).one()
    assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(tuple(row))
    assert (row.tenant, row.role, row.name, row.created_at) == ("team-a", "submitter", "ci", T0)


def test_verify_gives_the_principal_and_refuses_anything_else(engine: Engine) -> None:
    with engine.begin() as conn:
        key_id, key = create_key(conn, "team-a", Role.READER)
        _, other = create_key(conn, "team-b", Role.ADMIN)
    wrong_secret = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    unknown_id = f"sqll_{'0' * 16}_{key.split('_', 2)[2]}"
    with engine.connect() as conn:
        assert verify_key(conn, key) == Principal("team-a", Role.READER, key_id)
        admin = verify_key(conn, other)
        assert admin is not None and admin.all_tenants
        malformed = ("", "sqll_", key + "x" * 200, key.replace("sqll", "sqlx"), " " + key)
        for bad in (wrong_secret, unknown_id, *malformed):
            assert verify_key(conn, bad) is None, bad


def test_revoke_stops_the_key_and_keeps_the_row(engine: Engine) -> None:
    with engine.begin() as conn:
        key_id, key = create_key(conn, "team-a", "operator", now=T0)
    with engine.begin() as conn:
        assert revoke_key(conn, key_id, now=T1)
        assert revoke_key(conn, key_id)  # again: still known, the first revocation's time is kept
        assert not revoke_key(conn, "f" * 16)
    with engine.connect() as conn:
        assert verify_key(conn, key) is None
        (info,) = list_keys(conn)
    assert (info.key_id, info.role, info.revoked_at) == (key_id, Role.OPERATOR, T1)


def test_list_is_oldest_first_filtered_by_tenant_and_shows_last_use(engine: Engine) -> None:
    with engine.begin() as conn:
        first, _ = create_key(conn, "team-a", "submitter", now=T0)
        second, _ = create_key(conn, "team-b", "reader", name="dash", now=T1)
        touch_key(conn, first, now=T1)
    with engine.connect() as conn:
        assert [info.key_id for info in list_keys(conn)] == [first, second]
        (only_b,) = list_keys(conn, tenant="team-b")
        (only_a,) = list_keys(conn, tenant="team-a")
        assert list_keys(conn, tenant="nobody") == []
    assert (only_b.key_id, only_b.name, only_b.last_used_at) == (second, "dash", None)
    assert only_a.last_used_at == T1
    assert not hasattr(only_a, "secret_sha256")


@pytest.mark.parametrize(("tenant", "role"), [
    ("Team-A", "submitter"), ("../etc", "submitter"), ("", "reader"), ("a" * 64, "reader"),
    ("team-a", "root"), ("team-a", ""),
])
def test_a_bad_tenant_or_role_is_refused_before_writing(engine: Engine, tenant: str, role: str) -> None:
    with engine.begin() as conn, pytest.raises((ValidationError, ValueError)):
        create_key(conn, tenant, role)
    with engine.connect() as conn:
        assert list_keys(conn) == []


def test_a_name_longer_than_the_column_is_refused(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValueError, match="255"):
        create_key(conn, "team-a", "reader", name="n" * 256)
