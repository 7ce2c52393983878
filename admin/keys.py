"""``sqllint-admin keys create|list|revoke``: the API keys of tenants, in the job database.

Run with the owner's database URL (``DATABASE_URL``, or the variable
``--url-env`` names, as ``python -m sink.migrate``): the ingest's own user may
only record a key's last use. The URL is never taken from argv (``ps`` shows
argv) and never printed with its password. ``create`` prints the new key
alone on stdout's last line, so ``KEY=$(sqllint-admin keys create ...)`` takes
it and nothing else; it is shown only then, since only its digest is kept.
"""

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from runtime.access import Role
from runtime.api_keys import KeyInfo, create_key, list_keys, revoke_key, valid_tenant
from runtime.db import create_db_engine
from runtime.settings import ServiceSettings

PROG = "sqllint-admin keys"
HEADER = ("KEY_ID", "TENANT", "ROLE", "NAME", "CREATED", "LAST USED", "REVOKED")


def _tenant(text: str) -> str:
    try:
        return valid_tenant(text)
    except ValueError:
        raise argparse.ArgumentTypeError("lower-case letters, digits, _ and -, at most 63") from None


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url-env", default="DATABASE_URL", metavar="NAME",
                        help="the variable holding the owner's database URL (default DATABASE_URL)")
    parser = argparse.ArgumentParser(prog=PROG, description="Create, list and revoke API keys.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", parents=[common], help="a new key; printed once, alone")
    create.add_argument("--tenant", required=True, type=_tenant, help="whose objects the key reaches")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", help="what the key is for (shown in lists)")
    listing = commands.add_parser("list", parents=[common], help="every key, never a secret")
    listing.add_argument("--tenant", type=_tenant, help="only this tenant's keys")
    revoke = commands.add_parser("revoke", parents=[common], help="stop a key now (its row stays)")
    revoke.add_argument("key_id", metavar="ID", help="the key's id (second part of the key, as listed)")
    return parser.parse_args(argv)


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


def table(keys: Sequence[KeyInfo]) -> str:
    """The keys as aligned columns under a header."""
    rows = [HEADER] + [
        (key.key_id, key.tenant, key.role.value, key.name or "-", _when(key.created_at),
         _when(key.last_used_at), _when(key.revoked_at))
        for key in keys
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def _run(conn: Connection, args: argparse.Namespace) -> tuple[int, str, str]:
    """(exit code, stdout, stderr): printed only once the transaction committed."""
    if args.command == "create":
        key_id, key = create_key(conn, args.tenant, args.role, args.name)
        note = f"{PROG} create: key {key_id} for tenant {args.tenant}, role {args.role}; shown only now:"
        return 0, key, note
    if args.command == "list":
        return 0, table(list_keys(conn, args.tenant)), ""
    if revoke_key(conn, args.key_id):
        return 0, f"key {args.key_id} revoked", ""
    return 1, "", f"{PROG} revoke: no key {args.key_id!r}"


def main(argv: Sequence[str] | None = None) -> int:
    """0 when done; 1 for an unknown key or a database failure (on stderr); 2 for usage."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    url = os.environ.get(args.url_env) or str(ServiceSettings.model_fields["database_url"].default)
    where = make_url(url).render_as_string(hide_password=True)
    engine = create_db_engine(url)
    try:
        with engine.begin() as conn:
            code, out, err = _run(conn, args)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or type(exc).__name__  # the driver's words, never the parameters
        print(f"{PROG} {args.command}: database {where}: {cause} (is it migrated? python -m sink.migrate "
              "upgrade)", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if err:
        print(err, file=sys.stderr, flush=True)
    if out:
        print(out)
    return code
