"""Process entry point: settings from the environment, logging, then serve."""

import logging
import sys

from aiohttp import web

from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.settings import load_settings


def configure_logging(settings: IngestSettings) -> None:
    """Log to stderr, and to LOG_FILE too when set, at LOG_LEVEL."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(settings.log_file, encoding="utf-8"))
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )


def main() -> None:
    """Run the HTTP service until interrupted."""
    settings = load_settings(IngestSettings)
    configure_logging(settings)
    web.run_app(create_app(settings), host=settings.host, port=settings.port)
