"""A service stops gracefully first, and nothing of its process group outlives the stop."""

import os
import signal
import time
from pathlib import Path

import pytest

from harness.process import Service
from harness.servers import ROOT


def _started(tmp_path: Path, echo: bool = False) -> Service:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    service = Service("stubborn", "tests.harness.stubborn", env, tmp_path, tmp_path / "logs" / "s.log", echo)
    service.start()
    deadline = time.monotonic() + 30
    while not (tmp_path / "child").exists():
        assert service.returncode() is None, (tmp_path / "logs" / "s.log").read_text()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return service


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")


def test_stop_asks_with_sigterm_then_sweeps_the_group(tmp_path: Path) -> None:
    service = _started(tmp_path)
    child = int((tmp_path / "child").read_text())
    service.stop(grace=10)
    assert service.returncode() == 0
    assert (tmp_path / "stopped").read_text() == "SIGTERM\n"
    time.sleep(0.2)
    assert _gone(child)


def test_kill_takes_the_whole_group(tmp_path: Path) -> None:
    service = _started(tmp_path)
    child = int((tmp_path / "child").read_text())
    service.kill()
    assert service.returncode() == -signal.SIGKILL
    assert not (tmp_path / "stopped").exists()
    time.sleep(0.2)
    assert _gone(child)


def test_echo_prefixes_console_and_log_lines(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    service = _started(tmp_path, echo=True)
    service.stop(grace=10)
    assert "[stubborn] started\n" in capfd.readouterr().out
    assert (tmp_path / "logs" / "s.log").read_text() == "[stubborn] started\n"
