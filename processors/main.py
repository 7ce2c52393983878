"""The processors worker process: ``python -m processors`` (or ``python -m processors.main``)."""

from processors.app import make_faust_app
from processors.settings import ProcessorSettings
from runtime.faust.worker import serve


def main() -> None:
    """Read the settings (a bad one stops here, exit 2), then run the Faust worker until interrupted."""
    serve("processors", ProcessorSettings, make_faust_app)


if __name__ == "__main__":
    main()
