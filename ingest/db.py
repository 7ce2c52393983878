"""Running synchronous SQLAlchemy work off the event loop, with one failure type.

The engine is sync (shared ``runtime.db`` factory) so every call goes through
a worker thread; a database that cannot be reached becomes a 503 the client
may retry, while programming errors stay 500s.
"""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc

from ingest.errors import DatabaseUnavailableError

T = TypeVar("T")


def _in_transaction(engine: Engine, fn: Callable[..., T], *args: object) -> T:
    with engine.begin() as conn:
        return fn(conn, *args)


async def run_db(engine: Engine, fn: Callable[..., T], *args: object) -> T:
    """Call ``fn(connection, *args)`` in a thread, inside one committed transaction."""
    try:
        return await asyncio.to_thread(_in_transaction, engine, fn, *args)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as exc:
        cause = type(getattr(exc, "orig", None) or exc).__name__
        raise DatabaseUnavailableError(f"the job database is unavailable ({cause})") from exc


def ping(conn: Connection) -> None:
    """Readiness probe: the database answers a trivial query."""
    conn.exec_driver_sql("SELECT 1")
