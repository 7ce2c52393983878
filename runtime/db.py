"""Database engine construction shared by the writer (sink) and reader (ingest).

SQLite is the embedded default for ``make run``: several processes use it at
once, so it runs in WAL mode with a busy timeout. MySQL/MariaDB connections
are checked before use so a restarted server does not surface as an error.
"""

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# As many threads as asyncio.to_thread's default executor may run: each keeps a pooled
# connection instead of overflowing, since an overflow connection is closed on return and
# every request then paid a fresh connect (a new TLS context with pymysql): 22% of the ingest's CPU.
POOL_SIZE = min(32, (os.cpu_count() or 1) + 4)


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """Engine for ``url``; creates the folder of a SQLite file if needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or (parsed.database or ":memory:") != ":memory:":
        kwargs.setdefault("pool_size", POOL_SIZE)  # an in-memory SQLite has a single-thread pool
        kwargs.setdefault("max_overflow", POOL_SIZE)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_recycle=3600, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
