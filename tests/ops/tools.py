"""Real Consul and Prometheus servers for the operations tests, on private ports, stopped after.

Each is installed or built once by its ``infra/tools`` script; a test starts
its own process (loopback only, its own data in a temporary folder) and waits
until it answers, so tests never share a server or depend on one left running.
"""

import json
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.resources import free_port

ROOT = Path(__file__).resolve().parents[2]


def tool(script: str, *args: str) -> str:
    """The path of a tool, installed or built first when missing (``infra/tools/<script> [args]``).

    A script that cannot provide it fails the test with the script's own explanation (never a skip).
    """
    argv = [str(ROOT / "infra" / "tools" / script), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{' '.join(argv)} failed with {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def get_json(url: str) -> Any:
    """GET ``url``; its JSON body."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def wait_for(check: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    """``check()``'s first truthy value within ``timeout`` seconds (errors count as not yet)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except OSError as exc:
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not seen in {timeout}s; last: {last!r}")


@contextmanager
def process(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``argv`` running (output in ``log``) for the length of the block, then stopped."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def consul_agent(workdir: Path) -> Iterator[int]:
    """A dev-mode Consul agent on 127.0.0.1; yields its HTTP port once it has a leader."""
    http = free_port()
    argv = [tool("consul.sh"), "agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1",
            "-http-port", str(http), "-dns-port", "-1", "-grpc-port", "-1",
            "-server-port", str(free_port()), "-serf-lan-port", str(free_port()),
            "-serf-wan-port", str(free_port()), "-data-dir", str(workdir / "consul-data")]
    with process(argv, workdir / "consul.log"):
        wait_for(lambda: get_json(f"http://127.0.0.1:{http}/v1/status/leader"), 60, "a consul leader")
        yield http


def prometheus_config(targets: dict[str, int], interval_s: float = 1.0) -> str:
    """A scrape configuration: one job per service name, scraping ``127.0.0.1:<port>/metrics``."""
    jobs = [{"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
            for name, port in targets.items()]
    every = f"{int(interval_s * 1000)}ms"
    return json.dumps({"global": {"scrape_interval": every, "scrape_timeout": every}, "scrape_configs": jobs})


@contextmanager
def prometheus(workdir: Path, targets: dict[str, int]) -> Iterator[int]:
    """A Prometheus scraping ``targets`` every second (its data in ``workdir``); yields its HTTP port."""
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(prometheus_config(targets))  # JSON is YAML
    argv = [tool("prometheus.sh"), f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}"]
    with process(argv, workdir / "prometheus.log"):
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=5).status == 200,
                 60, "prometheus ready")
        yield port


def promql(port: int, query: str) -> list[dict[str, Any]]:
    """The instant vector ``query`` evaluates to now."""
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    answer = get_json(url)
    assert answer["status"] == "success", answer
    return list(answer["data"]["result"])
