"""``python -m bench [scenario ...]``."""

from bench.cli import main

raise SystemExit(main())
