"""The processors worker process: ``python -m processors`` (or ``python -m processors.main``)."""

import sys

from processors.app import make_faust_app
from processors.settings import ProcessorSettings
from runtime.settings import load_settings

# faust's ``-l`` takes these names; Python's level names map onto them.
_FAUST_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "WARN": "warn", "ERROR": "error"}
_FAUST_LEVELS |= {"CRITICAL": "crit", "FATAL": "crit"}

settings = load_settings(ProcessorSettings)
app = make_faust_app(settings)


def worker_argv(config: ProcessorSettings) -> list[str]:
    """``worker -l <level> [-f <file>]``: faust configures logging from LOG_LEVEL / LOG_FILE."""
    argv = ["worker", "-l", _FAUST_LEVELS.get(config.log_level.upper(), "info")]
    # The worker command turns the web server on unless told otherwise, whatever the app says.
    argv += ["--web-port", str(config.metrics_port)] if config.metrics_port else ["--without-web"]
    if config.log_file is not None:
        config.log_file.parent.mkdir(parents=True, exist_ok=True)
        argv += ["-f", str(config.log_file)]
    return argv


def main() -> None:
    """Run the faust worker until interrupted."""
    sys.argv = [sys.argv[0], *worker_argv(settings)]
    app.main()


if __name__ == "__main__":
    main()
