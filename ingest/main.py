"""Process entry point: settings from the environment, telemetry, then serve."""

import logging
import os
import socket

from aiohttp import web

from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.settings import load_settings
from runtime.telemetry import setup_telemetry

log = logging.getLogger("ingest")
# aiohttp's default without its "%t": every JSON line has its timestamp already, and formatting the
# time again was a measurable share of the event loop's CPU per request (py-spy, bench ingest).
ACCESS_LOG_FORMAT = '%a "%r" %s %b "%{Referer}i" "%{User-Agent}i"'


def main() -> None:
    """Run the HTTP service until interrupted; its log lines (aiohttp's too) are JSON with its identity."""
    settings = load_settings(IngestSettings)
    setup_telemetry(settings.service_name, f"{socket.gethostname()}-{os.getpid()}", settings)
    # Its "Running on ..." banner is logged, not printed: it would be the one line that is not JSON.
    web.run_app(
        create_app(settings), host=settings.host, port=settings.port, print=log.info,
        access_log_format=ACCESS_LOG_FORMAT,
    )
