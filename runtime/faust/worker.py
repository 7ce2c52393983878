"""Running a Faust app as a worker process, configured from the settings alone.

Faust configures logging itself when its worker starts (mode's
``setup_logging``, from the ``worker -l`` level), replacing the root
logger's handlers. It is therefore handed our handlers (``loghandlers``)
and a ``logging_config`` that installs nothing of its own, so its lines, mode's
and aiokafka's come out as the same JSON as ours; ``-q`` silences its
startup banner, the only thing it would still print as plain text.
"""

import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import faust

from runtime.faust.worker_state import worker_id_for
from runtime.settings import WorkerSettings, load_settings
from runtime.telemetry import setup_telemetry
from runtime.telemetry.logging import root_config
from schemas.worker_events import WorkerRole

S = TypeVar("S", bound=WorkerSettings)

# faust's ``-l`` takes these names; Python's level names map onto them.
FAUST_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "WARN": "warn", "ERROR": "error"}
FAUST_LEVELS |= {"CRITICAL": "crit", "FATAL": "crit"}


def worker_argv(settings: WorkerSettings) -> list[str]:
    """``-q worker -l <level> (--web-port <port> | --without-web)`` for ``app.main()``.

    No ``-f``: ``LOG_FILE`` is one of our handlers (rotating), not Faust's.
    """
    argv = ["-q", "worker", "-l", FAUST_LEVELS.get(settings.log_level.upper(), "info")]
    # The worker command turns the web server on unless told otherwise, whatever the app says.
    argv += ["--web-port", str(settings.metrics_port)] if settings.metrics_port else ["--without-web"]
    return argv


def run_worker(app: faust.App, settings: WorkerSettings, handlers: list[logging.Handler]) -> NoReturn:
    """Run ``app`` until interrupted, as Faust's ``worker`` command does, logging through ``handlers``.

    ``app.main()`` reads ``sys.argv``; the app object is handed to Faust's CLI
    directly, so it may be built in a service's ``main()`` rather than at import.
    """
    app.conf.logging_config = root_config(settings.log_level)
    app.conf.loghandlers = handlers
    sys.argv = [sys.argv[0], *worker_argv(settings)]
    app.main()


def serve(role: WorkerRole, settings_cls: type[S], make_app: Callable[[S], faust.App]) -> NoReturn:
    """A worker service's whole ``main()``: settings (a bad one exits 2), telemetry, then the worker.

    The app is built here, after logging is set up, never at import time.
    """
    settings = load_settings(settings_cls)
    worker_id = worker_id_for(role, socket.gethostname(), os.getpid())
    handlers = setup_telemetry(settings.service_name, worker_id, settings)
    run_worker(make_app(settings), settings, handlers)
