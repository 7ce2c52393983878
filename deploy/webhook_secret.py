"""``python -m deploy webhook-secret <origin or callback URL>``: the secret to hand one receiver.

Secrets are derived from ``WEBHOOK_SIGNING_KEY`` per submitter origin, never
stored (docs/webhooks.md), so an operator computes one on demand. The key is
read from the environment only, never from the command line, where it would
stay in the shell's history; the origin is normalised as the sink names it
(``https://hooks.example.com/x`` and ``https://hooks.example.com:443`` are one).
"""

import argparse
import os
import sys
from collections.abc import Mapping

from policy.callback_url import CallbackUrlRejectedError, parse_callback_url
from sink.webhook_message import derive_secret, secret_text

COMMAND = "webhook-secret"


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The subcommand's arguments."""
    parser = commands.add_parser(COMMAND, help="print the webhook signing secret of one receiver")
    parser.add_argument("origin", help="the receiver's origin or callback URL, e.g. https://hooks.example.com")


def webhook_secret(origin: str, environ: Mapping[str, str]) -> str:
    """The hex secret a receiver at ``origin`` verifies signatures with."""
    key = environ.get("WEBHOOK_SIGNING_KEY", "")
    if not key:
        raise ValueError("WEBHOOK_SIGNING_KEY is not set in this environment")
    try:
        normalised = parse_callback_url(origin).origin
    except CallbackUrlRejectedError as exc:
        raise ValueError(exc.message) from exc
    return secret_text(derive_secret(key, normalised))


def run(args: argparse.Namespace) -> int:
    """Print the secret and, on stderr, the origin it belongs to; exit 2 when it cannot be derived."""
    try:
        secret = webhook_secret(args.origin, os.environ)
    except ValueError as exc:
        print(f"{COMMAND}: {exc}", file=sys.stderr)
        return 2
    print(secret)
    print(f"for {parse_callback_url(args.origin).origin}", file=sys.stderr)
    return 0
