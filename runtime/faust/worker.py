"""Running a Faust app as a worker process, configured from the settings alone.

Faust configures logging itself from its command line, so the log level and
file become ``worker`` arguments instead of a ``logging`` set-up of our own.
"""

import sys
from typing import NoReturn

import faust

from runtime.settings import WorkerSettings

# faust's ``-l`` takes these names; Python's level names map onto them.
FAUST_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "WARN": "warn", "ERROR": "error"}
FAUST_LEVELS |= {"CRITICAL": "crit", "FATAL": "crit"}


def worker_argv(settings: WorkerSettings) -> list[str]:
    """``worker -l <level> (--web-port <port> | --without-web) [-f <file>]`` for ``app.main()``."""
    argv = ["worker", "-l", FAUST_LEVELS.get(settings.log_level.upper(), "info")]
    # The worker command turns the web server on unless told otherwise, whatever the app says.
    argv += ["--web-port", str(settings.metrics_port)] if settings.metrics_port else ["--without-web"]
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)  # faust opens the file, not the folder
        argv += ["-f", str(settings.log_file)]
    return argv


def run_worker(app: faust.App, settings: WorkerSettings) -> NoReturn:
    """Run ``app`` until interrupted, as Faust's ``worker`` command does.

    ``app.main()`` reads ``sys.argv``; the app object is handed to Faust's CLI
    directly, so it may be built in a service's ``main()`` rather than at import.
    """
    sys.argv = [sys.argv[0], *worker_argv(settings)]
    app.main()
