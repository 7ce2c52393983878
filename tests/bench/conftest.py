"""``bench`` is run from the repository root (``python -m bench``), not installed with the services.

So its tests put the root on the import path, as ``python -m`` from there does.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
