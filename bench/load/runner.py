"""Locust as a subprocess: the command line of one headless run and where its reports go.

Locust runs under gevent, which monkey-patches the standard library of the
process it runs in; our own process (and the stack it may hold) must never
be patched, so Locust only ever runs as a child process.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.load.scenarios import Scenario

REPO = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass(frozen=True)
class Reports:
    """The files of one scenario's run under ``folder`` (``var/load/<scenario>/`` by default)."""

    folder: Path
    scenario: str

    @property
    def csv_prefix(self) -> Path:
        """Locust's ``--csv`` prefix: it writes ``<prefix>_stats.csv``, ``_failures.csv`` and more."""
        return self.folder / self.scenario

    @property
    def stats(self) -> Path:
        """Per request name: counts, rates and percentiles."""
        return self.folder / f"{self.scenario}_stats.csv"

    @property
    def failures(self) -> Path:
        """Each distinct failure message with its count."""
        return self.folder / f"{self.scenario}_failures.csv"

    @property
    def history(self) -> Path:
        """Every request name's figures, second by second (``--csv-full-history``)."""
        return self.folder / f"{self.scenario}_stats_history.csv"

    @property
    def html(self) -> Path:
        """Locust's report with charts over time."""
        return self.folder / f"{self.scenario}.html"

    @property
    def log(self) -> Path:
        """Locust's own log, kept out of the console."""
        return self.folder / "locust.log"

    @property
    def summary(self) -> Path:
        """Our verdicts and figures as JSON."""
        return self.folder / "summary.json"


def locust_command(scenario: Scenario, host: str, run_time: int, reports: Reports,
                   stop_timeout: int) -> list[str]:
    """The headless run: bounded by ``run_time``, users given ``stop_timeout`` s to finish their job."""
    return [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--host", host, "--scenario", scenario.name, "--run-time", f"{run_time}s",
        "--stop-timeout", str(stop_timeout), "--csv", str(reports.csv_prefix), "--csv-full-history",
        "--html", str(reports.html),
        "--logfile", str(reports.log), "--exit-code-on-error", "0",
    ]


def start_locust(command: list[str]) -> subprocess.Popen[bytes]:
    """Locust started from the repository root, with it on the path so the locustfile finds ``bench``."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.Popen(command, cwd=REPO, env=env)


def finish(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Locust's exit code; it is stopped (SIGTERM, then SIGKILL) when it outlives ``timeout``."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        process.wait()
        raise
