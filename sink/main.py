"""The sink worker process: ``python -m sink`` (or ``python -m sink.main``)."""

import sys

from runtime.settings import load_settings
from sink.app import make_faust_app
from sink.settings import SinkSettings
from sink.worker_args import worker_argv

settings = load_settings(SinkSettings)
app = make_faust_app(settings)


def main() -> None:
    """Run the faust worker with the log level and file from the settings."""
    sys.argv = [sys.argv[0], *worker_argv(settings)]
    app.main()


if __name__ == "__main__":
    main()
