"""API keys: made and revoked by ``sqllint-admin``, checked by the ingest on every request.

A key reads ``sqll_<key_id>_<secret>``: the key id is public (lists, logs,
``revoke``) and finds the row; only the SHA-256 of the secret is stored, so a
copy of the table opens nothing. A fast digest is the right one here: the
secret is 32 random bytes (256 bits), so there is no dictionary to try and a
deliberately slow hash (bcrypt, argon2) would only cost every request CPU
without making a stolen digest any harder to reverse. The stored and
presented digests are compared in constant time.

The functions take a SQLAlchemy ``Connection`` and do not commit: the caller
owns the transaction (``engine.begin()``) and, in the ingest, runs them in a
thread so the event loop never waits on the database.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import TypeAdapter
from sqlalchemy import Connection, select, update

from runtime.access import Principal, Role
from runtime.rows import naive_utc
from runtime.tables import api_keys
from schemas.events import TenantName

PREFIX = "sqll"
_KEY_ID_BYTES = 8  # 16 hex characters: enough that two keys never share an id
_SECRET_BYTES = 32
_KEY = re.compile(r"^sqll_(?P<key_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43,128})$")
_TENANT: TypeAdapter[str] = TypeAdapter(TenantName)
# Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
_NO_DIGEST = "0" * 64
_ROLES = frozenset(role.value for role in Role)


@dataclass(frozen=True)
class KeyInfo:
    """One key as lists show it: everything but the secret, which is never kept."""

    key_id: str
    tenant: str
    role: Role
    name: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return naive_utc(now if now is not None else datetime.now(UTC))


def valid_tenant(tenant: str) -> str:
    """``tenant`` when it is a valid tenant name; ValueError (pydantic's) otherwise."""
    return _TENANT.validate_python(tenant)


def create_key(
    conn: Connection, tenant: str, role: str, name: str | None = None, now: datetime | None = None
) -> tuple[str, str]:
    """A new key for ``tenant`` with ``role``: (key_id, full key). The full key is shown only here."""
    tenant, role = valid_tenant(tenant), Role(role)
    if name is not None and len(name) > api_keys.c.name.type.length:
        raise ValueError(f"a key's name is at most {api_keys.c.name.type.length} characters")
    key_id = secrets.token_hex(_KEY_ID_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    conn.execute(api_keys.insert().values(
        key_id=key_id, tenant=tenant, role=role.value, secret_sha256=_digest(secret), name=name,
        created_at=_now(now),
    ))
    return key_id, f"{PREFIX}_{key_id}_{secret}"


def list_keys(conn: Connection, tenant: str | None = None) -> list[KeyInfo]:
    """Every key (or ``tenant``'s), oldest first; revoked ones too, for the audit trail."""
    query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
    if tenant is not None:
        query = query.where(api_keys.c.tenant == tenant)
    return [
        KeyInfo(
            key_id=row.key_id, tenant=row.tenant, role=Role(row.role), name=row.name,
            created_at=row.created_at, revoked_at=row.revoked_at, last_used_at=row.last_used_at,
        )
        for row in conn.execute(query)
    ]


def revoke_key(conn: Connection, key_id: str, now: datetime | None = None) -> bool:
    """Whether ``key_id`` exists; it is revoked from now on (an earlier revocation's time is kept)."""
    revoked = conn.execute(
        update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=_now(now))
    )
    if revoked.rowcount:
        return True
    return conn.execute(select(api_keys.c.key_id).where(api_keys.c.key_id == key_id)).first() is not None


def verify_key(conn: Connection, presented: str) -> Principal | None:
    """The caller a presented key stands for; None when it is malformed, unknown or revoked."""
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    row = conn.execute(
        select(api_keys.c.tenant, api_keys.c.role, api_keys.c.secret_sha256, api_keys.c.revoked_at)
        .where(api_keys.c.key_id == match["key_id"])
    ).first()
    stored = row.secret_sha256 if row is not None else _NO_DIGEST
    if not hmac.compare_digest(_digest(match["secret"]).encode(), stored.encode()):
        return None
    if row is None or row.revoked_at is not None or row.role not in _ROLES:
        return None
    return Principal(tenant=row.tenant, role=Role(row.role), key_id=match["key_id"])


def touch_key(conn: Connection, key_id: str, now: datetime | None = None) -> None:
    """Record that ``key_id`` was used (the ingest's database user may update only this column)."""
    conn.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(last_used_at=_now(now)))
