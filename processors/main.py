"""The processors worker process: ``python -m processors`` (or ``python -m processors.main``)."""

import os
import socket

from processors.app import make_faust_app
from processors.settings import ProcessorSettings
from runtime.faust.worker import run_worker
from runtime.faust.worker_state import worker_id_for
from runtime.settings import load_settings
from runtime.telemetry import setup_telemetry


def main() -> None:
    """Read the settings (a bad one stops here, exit 2), then run the Faust worker until interrupted."""
    settings = load_settings(ProcessorSettings)
    worker_id = worker_id_for("processors", socket.gethostname(), os.getpid())
    handlers = setup_telemetry(settings.service_name, worker_id, settings)
    run_worker(make_faust_app(settings), settings, handlers)


if __name__ == "__main__":
    main()
