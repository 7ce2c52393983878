"""``python -m deploy``: the deployment commands operators and CI type.

    python -m deploy config check <dev|staging|production|path.env> [--secrets FILE] [--env NAME]
    python -m deploy settings-table > docs/settings.md
    python -m deploy webhook-secret <origin or callback URL>   (WEBHOOK_SIGNING_KEY from the environment)

Exit status of ``config check``: 0 clean, 1 problems found (one line each,
naming the variable), 2 usage error (unknown environment, unreadable file).
"""

import argparse
import os
import sys
from pathlib import Path

from deploy.config_check import UsageError, check, resolve
from deploy.env_file import EnvFileError
from deploy.environment_rules import ENVIRONMENTS
from deploy.settings_table import render_markdown
from deploy.webhook_secret import COMMAND as WEBHOOK_SECRET
from deploy.webhook_secret import add_parser as add_webhook_secret
from deploy.webhook_secret import run as run_webhook_secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description="Deployment configuration tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    config = commands.add_parser("config", help="environment files")
    config_actions = config.add_subparsers(dest="action", required=True)
    checker = config_actions.add_parser("check", help="check an environment file")
    checker.add_argument("target", help=f"{', '.join(ENVIRONMENTS)}, or a path to a .env file")
    checker.add_argument("--secrets", type=Path, help="NAME=value file of secrets (else: the environment)")
    checker.add_argument("--env", choices=ENVIRONMENTS, help="rules to apply to a path (default: its name)")
    commands.add_parser("settings-table", help="print docs/settings.md")
    add_webhook_secret(commands)
    return parser


def _config_check(args: argparse.Namespace) -> int:
    try:
        target = resolve(args.target, args.env)
        problems = check(target, args.secrets, os.environ)
    except (UsageError, EnvFileError) as exc:
        print(f"config check: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    verdict = f"{len(problems)} problem(s)" if problems else "ok"
    print(f"{target.path} ({target.environment}): {verdict}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; argparse itself exits 2 on a malformed command line."""
    args = _parser().parse_args(argv)
    if args.command == "settings-table":
        sys.stdout.write(render_markdown())
        return 0
    if args.command == WEBHOOK_SECRET:
        return run_webhook_secret(args)
    return _config_check(args)


if __name__ == "__main__":
    sys.exit(main())
