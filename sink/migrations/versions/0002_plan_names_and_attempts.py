"""The service plan's table names, and lint attempts on each task.

``jobs`` and ``tasks`` become ``linting_jobs`` and ``linting_tasks`` (the
names the plan's operators query), keeping every row and index; a task gains
``attempts``: 1, or more when a crashed lint process was retried.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.rename_table("jobs", "linting_jobs")
    op.rename_table("tasks", "linting_tasks")
    with op.batch_alter_table("linting_tasks") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("linting_tasks") as batch:
        batch.drop_column("attempts")
    op.rename_table("linting_tasks", "tasks")
    op.rename_table("linting_jobs", "jobs")
