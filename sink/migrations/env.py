"""Alembic environment: runs migrations on the URL the caller put in the Config.

The URL comes from ``config.attributes["url"]`` (set by :mod:`sink.migrate`)
rather than an ini file, so the same migrations serve SQLite and MariaDB.
"""

from alembic import context

from runtime.db import create_db_engine
from runtime.tables import metadata

config = context.config


def run_offline() -> None:
    context.configure(url=config.attributes["url"], target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_db_engine(config.attributes["url"])
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
