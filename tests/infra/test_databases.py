"""The database fixtures hand out real, empty, writable databases."""

import pytest
from sqlalchemy import create_engine, inspect, make_url, text


@pytest.mark.integration
def test_mysql_db_url_is_a_fresh_mariadb_database(mysql_db_url: str) -> None:
    engine = create_engine(mysql_db_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))"))
            conn.execute(text("INSERT INTO t VALUES (1, 'ü-ok')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM t")).scalar_one() == "ü-ok"
            assert conn.execute(text("SELECT DATABASE()")).scalar_one() == make_url(mysql_db_url).database
    finally:
        engine.dispose()


def test_sqlite_db_url_is_a_fresh_file(sqlite_db_url: str) -> None:
    engine = create_engine(sqlite_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        assert inspect(engine).get_table_names() == ["t"]
    finally:
        engine.dispose()
