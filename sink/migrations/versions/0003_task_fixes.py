"""SQLFluff's fix of each task, for jobs that ask for fixes.

``linting_tasks`` gains ``fixed`` (whether the fix changed anything; NULL when
no fix was made), the fixed SQL and the unified diff inline (LONGTEXT on
MariaDB: a file may be up to ``max_file_bytes`` and its diff larger), or the
paths under the storage root where a fix too large for a Kafka message was
kept. Every column is nullable, so existing rows and lint-only tasks stay as
they are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.mysql import LONGTEXT

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not taken from runtime.tables, so this revision stays what it was.
_LONG_TEXT = sa.Text().with_variant(LONGTEXT(), "mysql", "mariadb")
_COLUMNS = ("fixed", "fixed_sql", "fix_diff", "fixed_sql_path", "fix_diff_path")


def upgrade() -> None:
    with op.batch_alter_table("linting_tasks") as batch:
        batch.add_column(sa.Column("fixed", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("fixed_sql", _LONG_TEXT, nullable=True))
        batch.add_column(sa.Column("fix_diff", _LONG_TEXT, nullable=True))
        batch.add_column(sa.Column("fixed_sql_path", sa.String(1024), nullable=True))
        batch.add_column(sa.Column("fix_diff_path", sa.String(1024), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("linting_tasks") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
