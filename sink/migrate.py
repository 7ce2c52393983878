"""Bringing a database to a schema revision with Alembic, without an ini file.

Migrations are the only way tables change, so every service (and every
test) calls :func:`upgrade` instead of ``metadata.create_all``. The Config is
built in code so the installed package needs nothing but its own files.

Migrations change the schema, so in a deployment they run as the database's
owner (``sqllint_owner``, infra/db/owner.sql) while the services' users may not
run DDL: the migration's process gets the owner's URL, by default in its own
``DATABASE_URL`` (the Job's or compose service's environment), or in the
variable ``--url-env`` names when one environment holds several URLs. A URL is
never taken from argv in a deployment (``ps`` shows argv) and never printed
with its password.
"""

import argparse
import os
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from sink.settings import SinkSettings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic Config for ``url`` whose scripts are the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Kept out of the ini options on purpose: '%' in passwords would be interpolated there.
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` forward to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` back to ``revision`` (all tables gone at base)."""
    command.downgrade(alembic_config(url), revision)


def masked(url: str) -> str:
    """``url`` with ``***`` for its password, fit for a log line."""
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m sink.migrate upgrade|downgrade [--url URL | --url-env NAME] [--revision REV]``."""
    parser = argparse.ArgumentParser(prog="python -m sink.migrate", description=__doc__)
    parser.add_argument("action", choices=("upgrade", "downgrade"))
    parser.add_argument(
        "--url", default=None, help="SQLAlchemy URL (tests, SQLite); default: --url-env's variable"
    )
    parser.add_argument(
        "--url-env", default="DATABASE_URL", metavar="NAME",
        help="the variable holding the owner's URL (default DATABASE_URL); unset: the settings default",
    )
    parser.add_argument("--revision", default=None, help="target revision; default head / base")
    args = parser.parse_args(argv)
    url = args.url or os.environ.get(args.url_env) or SinkSettings().database_url
    print(f"sink.migrate: {args.action} {masked(url)}", file=sys.stderr)
    if args.action == "upgrade":
        upgrade(url, args.revision or "head")
    else:
        downgrade(url, args.revision or "base")
    return 0


if __name__ == "__main__":
    sys.exit(main())
