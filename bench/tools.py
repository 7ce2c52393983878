"""The measuring tools a run needs besides the stack: wrk for HTTP load, py-spy for profiles."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def ensure_wrk() -> str:
    """Path of ``wrk``; installed from Debian when missing (we run as root here)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is missing; install it with: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True, env=env)
    return shutil.which("wrk") or "wrk"


def py_spy() -> str:
    """Path of ``py-spy`` in this venv (the ``bench`` extra that ``make bench`` installs)."""
    return str(VENV_BIN / "py-spy")
