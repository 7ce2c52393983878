"""``python -m bench.load <scenario> [--host URL | --stack] [--run-time S] [--out DIR]``."""

from bench.load.cli import main

raise SystemExit(main())
