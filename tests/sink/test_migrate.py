"""Alembic migrations bring SQLite and MariaDB to the tables of ``runtime.tables`` and back."""

import subprocess
import sys

import pytest
from sqlalchemy import inspect

from runtime.db import create_db_engine
from runtime.tables import metadata
from sink.migrate import downgrade, upgrade

EXPECTED_INDEXES = {
    "linting_jobs": {
        "ix_jobs_status_created",
        "ix_jobs_created",
        "ix_jobs_tenant_created",
        "ix_jobs_tenant_status",
    },
    "linting_tasks": {"ix_tasks_job_ordinal", "ix_tasks_job_status"},
    "idempotency_keys": set(),
    "webhook_deliveries": {"ix_webhook_deliveries_due"},
    "api_keys": {"ix_api_keys_tenant"},
    "tenant_usage": set(),
}
Schema = dict[str, tuple[list[str], set[str], list[str]]]


def _schema(url: str) -> Schema:
    engine = create_db_engine(url)
    try:
        inspector = inspect(engine)
        return {
            name: (
                [column["name"] for column in inspector.get_columns(name)],
                {index["name"] for index in inspector.get_indexes(name)},
                sorted(inspector.get_pk_constraint(name)["constrained_columns"]),
            )
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }
    finally:
        engine.dispose()


def _expected() -> Schema:
    return {
        name: (
            [c.name for c in table.columns],
            EXPECTED_INDEXES[name],
            sorted(c.name for c in table.primary_key),
        )
        for name, table in metadata.tables.items()
    }


def _up_and_down(url: str) -> None:
    upgrade(url)
    assert _schema(url) == _expected()
    upgrade(url)  # already at head: nothing to do, no error
    downgrade(url)
    assert _schema(url) == {}


def test_upgrade_then_downgrade_on_sqlite(sqlite_db_url: str) -> None:
    _up_and_down(sqlite_db_url)


@pytest.mark.integration
def test_upgrade_then_downgrade_on_mariadb(mysql_db_url: str) -> None:
    _up_and_down(mysql_db_url)


@pytest.mark.integration
def test_result_json_is_longtext_on_mariadb(mysql_db_url: str) -> None:
    upgrade(mysql_db_url)
    engine = create_db_engine(mysql_db_url)
    try:
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("linting_tasks")}
    finally:
        engine.dispose()
    assert type(columns["result_json"]).__name__ == "LONGTEXT"


def test_cli_upgrades_and_downgrades(sqlite_db_url: str) -> None:
    for action in ("upgrade", "downgrade", "upgrade"):
        subprocess.run([sys.executable, "-m", "sink.migrate", action, "--url", sqlite_db_url], check=True)
    assert set(_schema(sqlite_db_url)) == set(EXPECTED_INDEXES)
