"""A real service stand-in for the process tests: exits cleanly on SIGTERM, with a child that does not.

Run as ``python -m tests.harness.stubborn``; it writes ``started`` and, on
SIGTERM, ``stopped`` into the folder it runs in, and its child (same process
group) ignores SIGTERM, as a lint process busy in C code might.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

IGNORE_TERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"


def _stop(_signum: int, _frame: FrameType | None) -> None:
    Path("stopped").write_text("SIGTERM\n")
    sys.exit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    child = subprocess.Popen([sys.executable, "-c", IGNORE_TERM])
    Path("child").write_text(str(child.pid))
    print("started", flush=True)
    Path("started").write_text("yes\n")
    time.sleep(600)


if __name__ == "__main__":
    main()
