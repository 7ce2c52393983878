"""The sink worker process: ``python -m sink`` (or ``python -m sink.main``)."""

from runtime.faust.worker import serve
from sink.app import make_faust_app
from sink.settings import SinkSettings


def main() -> None:
    """Read the settings (a bad one stops here, exit 2), then run the Faust worker until interrupted."""
    serve("sink", SinkSettings, make_faust_app)


if __name__ == "__main__":
    main()
