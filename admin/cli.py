"""``sqllint-admin <command> ...``: one entry point, each command a module of its own.

A command is a module with ``main(argv) -> int`` that parses the rest of the
line itself; adding one is one line in ``COMMANDS``. Modules are imported
only when their command runs, so ``keys`` does not load a Kafka client and a
command's missing dependency cannot break the others.
"""

import importlib
import sys
from collections.abc import Sequence
from typing import NamedTuple


class Command(NamedTuple):
    """A subcommand: its word, the module that runs it, one line of help."""

    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("keys", "admin.keys", "API keys: create, list, revoke (docs/security.md)"),
    Command("kafka", "admin.kafka_tenants", "outside producers' principals: grant-tenant, revoke-tenant"),
)


def usage() -> str:
    """The top-level help: the commands and where each one's own help is."""
    lines = ["usage: sqllint-admin COMMAND ...", "", "commands:"]
    lines += [f"  {command.name:<10} {command.help}" for command in COMMANDS]
    lines += ["", "sqllint-admin COMMAND --help shows a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names; 2 (usage) for none or an unknown one."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"]):
        print(usage())
        return 0
    chosen = [command for command in COMMANDS if args[:1] == [command.name]]
    if not chosen:
        problem = f"unknown command {args[0]!r}" if args else "a command is required"
        print(f"{usage()}\n\nsqllint-admin: error: {problem}", file=sys.stderr)
        return 2
    code: int = importlib.import_module(chosen[0].module).main(args[1:])
    return code
