"""The sink worker process: ``python -m sink`` (or ``python -m sink.main``)."""

from runtime.faust.worker import run_worker
from runtime.settings import load_settings
from sink.app import make_faust_app
from sink.settings import SinkSettings


def main() -> None:
    """Read the settings (a bad one stops here, exit 2), then run the Faust worker until interrupted."""
    settings = load_settings(SinkSettings)
    run_worker(make_faust_app(settings), settings)


if __name__ == "__main__":
    main()
