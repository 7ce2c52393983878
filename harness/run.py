"""``make run``: the whole service on this machine, in the foreground, until Ctrl-C.

Starts the broker (``infra/kafka/kafka.sh start``) unless ``KAFKA_BOOTSTRAP_SERVERS``
names one, migrates the database (SQLite ``var/sqllint.db`` unless ``DATABASE_URL``
is set), creates the topics, and runs the ingest, the processors and the sink
with ``[name]``-prefixed console lines, each also in ``var/log/<name>.log``.
Ctrl-C or SIGTERM stops the services (and the broker it started) and exits 0;
a service that dies stops everything and exits 1, so a broken service is never
silently missing. ``INGEST_URL`` overrides the address checked for readiness.
Authentication is off (``AUTH_REQUIRED=false``) unless the caller set it, and
the run says so loudly at start.
"""

import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from harness.readiness import wait_ready
from harness.servers import KAFKA_SH, ROOT, local_kafka, run_script
from harness.settings import StackSettings
from harness.stack import ServiceDiedError, Stack, launch, new_stack
from runtime.kafka_admin import ensure_service_topics
from runtime.settings import ServiceSettings
from sink.migrate import masked, upgrade

DEFAULT_DATABASE_URL = "sqlite:///var/sqllint.db"


def say(message: str) -> None:
    """The harness's own lines, told apart from the services' ``[name]`` lines."""
    print(f"harness run: {message}", flush=True)


def console_logs(environ: Mapping[str, str]) -> dict[str, str]:
    """A person watching a terminal reads console lines; piped or redirected, the services log JSON.

    The services' own stderr is the harness's pipe, never a terminal, so the
    choice is made here from ours, unless ``LOG_FORMAT`` already says.
    """
    return {} if environ.get("LOG_FORMAT") or not sys.stdout.isatty() else {"LOG_FORMAT": "console"}


def announce_auth(env: Mapping[str, str]) -> None:
    """Say at start, loudly, whether the API asks for keys (off unless the caller turned it on)."""
    if env.get("AUTH_REQUIRED", "").strip().lower() in {"false", "0", "no", "off"}:
        say("WARNING: AUTH_REQUIRED=false: AUTHENTICATION IS OFF. Anyone who reaches the port submits and "
            "reads as the 'default' tenant. Set AUTH_REQUIRED=true and make keys with "
            "`sqllint-admin keys create` to try it with keys.")
    else:
        say("AUTH_REQUIRED=true: every API call needs a key (sqllint-admin keys create).")


class Stopped(Exception):
    """Ctrl-C or SIGTERM: stop everything and exit 0."""


def _stop_requested(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


def prepare(database_url: str, bootstrap: str) -> None:
    """Migrate the database and create the topics the environment names (both idempotent)."""
    say(f"migrating {masked(database_url)}")  # never the password: this is the console and a log
    upgrade(database_url)
    created = ensure_service_topics(ServiceSettings(kafka_bootstrap_servers=bootstrap))
    say(f"topics created: {', '.join(created) or 'none (all exist)'}")


def watch(stack: Stack) -> None:
    """Until a service dies (raises) or a signal stops the run (raises :class:`Stopped`)."""
    wait_ready(stack)
    say(f"ready: {stack.base_url} (Ctrl-C to stop)")
    while True:
        stack.assert_alive()
        time.sleep(1)


def main(log_dir: Path | None = None) -> int:
    """Run the stack in the foreground; see the module docstring. Logs go to ``log_dir`` (var/log)."""
    os.chdir(ROOT)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop_requested)
    own_broker = not os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    stack: Stack | None = None
    code = 0
    try:
        settings = StackSettings(os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or local_kafka(),
                                 os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, ROOT,
                                 log_dir=log_dir or ROOT / "var" / "log", private=False, echo=True,
                                 env=console_logs(os.environ))
        prepare(settings.database_url, settings.kafka)
        stack = new_stack(settings)
        announce_auth(stack.env)
        if os.environ.get("INGEST_URL"):
            stack.base_url = os.environ["INGEST_URL"].rstrip("/")
        launch(settings, stack)
        say("started " + ", ".join(f"{name} (pid {pid})" for name, pid in stack.pids().items()))
        watch(stack)
    except Stopped:
        pass
    except (ServiceDiedError, TimeoutError) as exc:
        say(f"ERROR {str(exc).splitlines()[0]}; see var/log/<service>.log")
        code = 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not orphan the services
        if stack is not None:
            say(f"stopping {', '.join(stack.services)}")
            stack.stop_all()
        if own_broker:
            run_script(KAFKA_SH, "stop")
    return code
