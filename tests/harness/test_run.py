"""``python -m harness run`` (what ``make run`` runs): ready, serving, stopped by Ctrl-C, failing loudly."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import http, resources
from harness.servers import ROOT
from schemas.topics import TopicNames

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


class Foreground:
    """The harness as a developer runs it, its console read line by line."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", "--log-dir", str(log_dir)], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self._queue.put(line)

    def wait_for(self, pattern: str, timeout: float = 150) -> re.Match[str]:
        """The first console line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.lines.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r}:\n{''.join(self.lines[-40:])}")

    def exit_code(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout)
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return code


@pytest.fixture
def foreground(kafka_bootstrap: str, topic_names: TopicNames, unique_id: str,
               tmp_path: Path) -> Iterator[Foreground]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPICS__")}
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap, DATABASE_URL=resources.sqlite_url(tmp_path / "run.db"),
        INGEST_PORT=str(resources.free_port()), NFS_SHARE_ROOT_PATH=str(tmp_path / "storage"),
        PROCESSORS_CONSUMER_GROUP_ID=f"run-{unique_id}-proc", SINK_CONSUMER_GROUP_ID=f"run-{unique_id}-sink",
        SINK_FAUST_DATADIR=str(tmp_path / "faust"), PROCESSORS_LINT_WORKERS="1",
        **{f"TOPICS__{key.upper()}": name for key, name in topic_names.model_dump().items()},
    )
    running = Foreground(env, tmp_path / "logs")
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


def test_ready_serves_and_ctrl_c_stops_everything(foreground: Foreground, tmp_path: Path) -> None:
    started = foreground.wait_for(r"started (.*)")
    pids = [int(pid) for pid in re.findall(r"pid (\d+)", started.group(1))]
    url = foreground.wait_for(r"ready: (\S+)").group(1)
    status, body = http.request(url, "POST", "/api/v1/jobs", {"sql_content": "select a,b from t\n"})
    assert status == 202, body
    deadline = time.monotonic() + 60
    while http.request(url, "GET", f"/api/v1/jobs/{body['job_id']}")[1]["job_status"] != "COMPLETED":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    foreground.proc.send_signal(signal.SIGINT)
    assert foreground.exit_code() == 0
    assert len(pids) == 3 and not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    assert any(line.startswith("[sink] ") for line in foreground.lines)
    logs = {path.name: path.read_text() for path in (tmp_path / "logs").glob("*.log")}
    assert sorted(logs) == ["ingest.log", "processors.log", "sink.log"]
    assert all(line.startswith("[ingest] ") for line in logs["ingest.log"].splitlines())
    # Without AUTH_REQUIRED in the caller's environment the run is open, and both it and the ingest say so.
    assert any("harness run: WARNING: AUTH_REQUIRED=false" in line for line in foreground.lines)
    assert "AUTHENTICATION IS OFF" in logs["ingest.log"]


def test_a_dying_service_stops_the_rest_and_fails(foreground: Foreground) -> None:
    started = foreground.wait_for(r"started (.*)")
    pids = dict((name, int(pid)) for name, pid in re.findall(r"(\w+) \(pid (\d+)\)", started.group(1)))
    foreground.wait_for(r"ready: ")
    os.killpg(pids["sink"], signal.SIGKILL)
    assert foreground.exit_code() == 1
    assert any("ERROR services died" in line for line in foreground.lines), "".join(foreground.lines[-20:])
    assert not [pid for pid in pids.values() if Path(f"/proc/{pid}").exists()]
