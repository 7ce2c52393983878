"""The faust worker command line, from the settings (faust configures logging itself)."""

from sink.settings import SinkSettings

# faust's ``-l`` takes these names; Python's level names map onto them.
_FAUST_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "WARN": "warn", "ERROR": "error"}
_FAUST_LEVELS |= {"CRITICAL": "crit", "FATAL": "crit"}


def worker_argv(settings: SinkSettings) -> list[str]:
    """``worker -l <level> [-f <file>]`` for ``app.main()``."""
    argv = ["worker", "-l", _FAUST_LEVELS.get(settings.log_level.upper(), "info")]
    # The worker command turns the web server on unless told otherwise, whatever the app says.
    argv += ["--web-port", str(settings.metrics_port)] if settings.metrics_port else ["--without-web"]
    if settings.log_file is not None:
        argv += ["-f", str(settings.log_file)]
    return argv
