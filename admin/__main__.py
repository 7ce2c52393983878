"""``python -m admin``: the same as the ``sqllint-admin`` console script."""

import sys

from admin.cli import main

sys.exit(main())
