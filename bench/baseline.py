"""The yardstick: ``sqlfluff lint`` from this venv on the same files, with the same settings."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SQLFLUFF = Path(sys.executable).parent / "sqlfluff"


@dataclass(frozen=True)
class CliRun:
    """Wall time of one CLI run, and what it reported (to check it linted every file)."""

    seconds: float
    files: int
    violations: int


def run_cli(folder: Path, dialect: str, processes: int) -> CliRun:
    """``sqlfluff lint --processes N --format json --dialect D .`` in ``folder`` (its .sqlfluff applies)."""
    cmd = [
        str(SQLFLUFF), "lint", "--processes", str(processes), "--format", "json", "--dialect", dialect,
        "--disable-progress-bar", "--nofail", ".",
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"sqlfluff lint failed ({proc.returncode}): {proc.stderr[-2000:]}")
    records = json.loads(proc.stdout)
    return CliRun(seconds, len(records), sum(len(r["violations"]) for r in records))
