"""The materialised view of jobs and tasks, shared by the sink and the ingest.

The table names are the service plan's (``linting_jobs``, ``linting_tasks``),
which its operators' queries and dashboards already use.

The sink is the writer of statuses and results; the ingest reads them to
answer queries and records only what it must own (an accepted job's first
row and idempotency keys). Tables change only through Alembic migrations.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.mysql import LONGTEXT

from schemas.events import DEFAULT_TENANT

metadata = MetaData()

LongText = Text().with_variant(LONGTEXT(), "mysql", "mariadb")

jobs = Table(
    "linting_jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("submission_type", String(16), nullable=False),
    Column("status", String(24), nullable=False),
    Column("source_name", String(1024), nullable=True),
    Column("options_json", Text, nullable=False, default="{}"),
    Column("task_count", Integer, nullable=True),
    Column("tasks_succeeded", Integer, nullable=False, default=0),
    Column("tasks_failed", Integer, nullable=False, default=0),
    Column("violation_count", Integer, nullable=False, default=0),
    Column("error_code", String(64), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column("finished_at", DateTime(timezone=False), nullable=True),
    # Where the job's summary is POSTed when it ends (sink/migrations 0004; docs/webhooks.md).
    Column("callback_url", String(2048), nullable=True),
    # Whose job it is (sink/migrations 0005): every read of the API is scoped by it.
    Column("tenant", String(63), nullable=False, default=DEFAULT_TENANT, server_default=DEFAULT_TENANT),
    Index("ix_jobs_status_created", "status", "created_at"),
    Index("ix_jobs_created", "created_at"),
    Index("ix_jobs_tenant_created", "tenant", "created_at"),
    Index("ix_jobs_tenant_status", "tenant", "status"),
)

tasks = Table(
    "linting_tasks",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("job_id", String(36), nullable=False),
    Column("ordinal", Integer, nullable=False, default=0),
    Column("file_name", String(1024), nullable=False),
    Column("status", String(16), nullable=False),
    Column("violation_count", Integer, nullable=True),
    Column("result_json", LongText, nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("started_at", DateTime(timezone=False), nullable=True),
    Column("finished_at", DateTime(timezone=False), nullable=True),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column("attempts", Integer, nullable=False, default=1, server_default="1"),
    # A job that asked for fixes: the fix of the file, inline or by storage path (sink/migrations 0003).
    Column("fixed", Boolean, nullable=True),
    Column("fixed_sql", LongText, nullable=True),
    Column("fix_diff", LongText, nullable=True),
    Column("fixed_sql_path", String(1024), nullable=True),
    Column("fix_diff_path", String(1024), nullable=True),
    Index("ix_tasks_job_ordinal", "job_id", "ordinal"),
    Index("ix_tasks_job_status", "job_id", "status"),
)

# A key is the tenant's own: two tenants may use the same one without meeting (migration 0005).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("tenant", String(63), primary_key=True, default=DEFAULT_TENANT, server_default=DEFAULT_TENANT),
    Column("idempotency_key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("job_id", String(36), nullable=False),
    Column("response_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
)

# The outbox of job.finished callbacks: a row is written in the transaction that finishes its job,
# and the sink's delivery loop sends it (sink/webhooks.py). One row per job, its attempts counted.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("state", String(16), nullable=False),  # PENDING | DELIVERED | FAILED
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=False), nullable=False),
    Column("last_attempt_at", DateTime(timezone=False), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=False), nullable=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
)

# API keys (migration 0005): only a digest of the secret is kept, so a copy of the table opens nothing.
# ``key_id`` is the public half of the key, shown in lists and logs; revoking keeps the row for audit.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("role", String(16), nullable=False),
    Column("secret_sha256", String(64), nullable=False),
    Column("name", String(255), nullable=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("revoked_at", DateTime(timezone=False), nullable=True),
    Column("last_used_at", DateTime(timezone=False), nullable=True),
    Index("ix_api_keys_tenant", "tenant"),
)

# What each tenant submitted per UTC day (migration 0005), counted atomically at acceptance so
# concurrent requests cannot pass a daily quota together; old days go with the retention purge.
tenant_usage = Table(
    "tenant_usage",
    metadata,
    Column("tenant", String(63), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("bytes", BigInteger, nullable=False, default=0, server_default="0"),
    Column("jobs", Integer, nullable=False, default=0, server_default="0"),
)
