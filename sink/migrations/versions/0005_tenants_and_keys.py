"""Tenants and API keys: who owns each job and idempotency key, and who may call the API.

``linting_jobs`` gains ``tenant`` (existing rows belong to the default
tenant, which is whose they were: there was only one) with the two indexes
the scoped reads use. ``idempotency_keys`` becomes keyed by (tenant, key), so
one tenant's key never replays another tenant's answer. ``api_keys`` keeps a
digest of each key's secret; ``tenant_usage`` counts each tenant's bytes and
jobs per UTC day for the daily quota.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = "default"


def _tenant_column(primary_key: bool = False) -> sa.Column:
    return sa.Column("tenant", sa.String(63), nullable=False, server_default=DEFAULT, primary_key=primary_key)


def _rekey_idempotency(with_tenant: bool) -> None:
    """A primary key cannot be changed in place on every database: copy into a new table, swap."""
    keep = ("idempotency_key", "request_hash", "job_id", "response_json", "created_at")
    op.create_table(
        "idempotency_keys_new",
        *([_tenant_column(primary_key=True)] if with_tenant else []),
        sa.Column("idempotency_key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    old = sa.table("idempotency_keys", *(sa.column(name) for name in (*keep, "tenant")))
    new = sa.table("idempotency_keys_new", *(sa.column(name) for name in keep))
    rows = sa.select(*(old.c[name] for name in keep))
    if not with_tenant:  # going back, only the default tenant's keys fit the old single-column key
        rows = rows.where(old.c.tenant == DEFAULT)
    op.execute(new.insert().from_select(list(keep), rows))
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_new", "idempotency_keys")


def upgrade() -> None:
    with op.batch_alter_table("linting_jobs") as batch:
        batch.add_column(_tenant_column())
    op.create_index("ix_jobs_tenant_created", "linting_jobs", ["tenant", "created_at"])
    op.create_index("ix_jobs_tenant_status", "linting_jobs", ["tenant", "status"])
    _rekey_idempotency(with_tenant=True)
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=False), nullable=True),
    )
    op.create_index("ix_api_keys_tenant", "api_keys", ["tenant"])
    op.create_table(
        "tenant_usage",
        sa.Column("tenant", sa.String(63), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("jobs", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("tenant_usage")
    op.drop_index("ix_api_keys_tenant", table_name="api_keys")
    op.drop_table("api_keys")
    _rekey_idempotency(with_tenant=False)
    op.drop_index("ix_jobs_tenant_status", table_name="linting_jobs")
    op.drop_index("ix_jobs_tenant_created", table_name="linting_jobs")
    with op.batch_alter_table("linting_jobs") as batch:
        batch.drop_column("tenant")
