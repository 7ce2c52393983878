"""A migrated database engine for the sink tests, on SQLite and on MariaDB."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from runtime.db import create_db_engine
from sink.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on a fresh database brought to head by the migrations (never create_all)."""
    fixture = "sqlite_db_url" if request.param == "sqlite" else "mysql_db_url"
    url: str = request.getfixturevalue(fixture)
    upgrade(url)
    db = create_db_engine(url)
    yield db
    db.dispose()
