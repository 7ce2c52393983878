"""Real Consul and Prometheus servers for the operations tests, on private ports, stopped after.

Each is installed or built once by its ``infra/tools`` script; a test starts
its own process (loopback only, its own data in a temporary folder) and waits
until it answers, so tests never share a server or depend on one left running.
The Grafana dashboard's queries are read and expanded here as Grafana would
send them, for the tests that run them against Prometheus or promtool.
"""

import json
import math
import re
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
# About a third-wide panel's width in pixels: Grafana's maxDataPoints, which sets $__interval.
MAX_POINTS = 500


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


def prometheus_config(targets: dict[str, int], interval_s: float = 1.0, rules: Path | None = None) -> str:
    """A scrape configuration: one job per service name, scraping ``127.0.0.1:<port>/metrics``.

    With ``rules``, that rule file is evaluated at the scrape interval too.
    """
    jobs = [{"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
            for name, port in targets.items()]
    every = f"{int(interval_s * 1000)}ms"
    config: dict[str, Any] = {"global": {"scrape_interval": every, "scrape_timeout": every,
                                         "evaluation_interval": every}, "scrape_configs": jobs}
    if rules is not None:
        config["rule_files"] = [str(rules)]
    return json.dumps(config)


@contextmanager
def prometheus(workdir: Path, targets: dict[str, int], rules: Path | None = None) -> Iterator[int]:
    """A Prometheus scraping ``targets`` every second (its data in ``workdir``); yields its HTTP port."""
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(prometheus_config(targets, rules=rules))  # JSON is YAML
    argv = [tool("prometheus.sh"), f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}"]
    with process(argv, workdir / "prometheus.log"):
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=5).status == 200,
                 60, "prometheus ready")
        yield port


def _api(port: int, path: str, **params: str) -> Any:
    answer = get_json(f"http://127.0.0.1:{port}/api/v1/{path}?" + urllib.parse.urlencode(params))
    assert answer["status"] == "success", answer
    return answer["data"]


def promql(port: int, query: str) -> list[dict[str, Any]]:
    """The instant vector ``query`` evaluates to now."""
    return list(_api(port, "query", query=query)["result"])


def promql_range(port: int, query: str, start: float, end: float, step_s: float) -> list[dict[str, Any]]:
    """The series ``query`` gives over ``[start, end]`` (Unix seconds), as a Grafana panel asks for them."""
    data = _api(port, "query_range", query=query, start=str(start), end=str(end), step=f"{step_s}s")
    return list(data["result"])


def rule_groups(port: int) -> list[dict[str, Any]]:
    """The loaded rule groups with each rule's health and last evaluation (``/api/v1/rules``)."""
    return list(_api(port, "rules")["groups"])


def dashboard_targets(path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (panel, query target) of a Grafana dashboard JSON, rows' nested panels included."""
    for panel in json.loads(path.read_text())["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            for target in inner.get("targets", []):
                yield inner, target


def grafana_expr(expr: str, range_s: float, min_interval_s: int) -> tuple[str, int]:
    """``expr`` with Grafana's variables expanded for a panel over ``range_s`` seconds, and the step.

    As Grafana does: ``$__interval`` is the range over maxDataPoints, never under the data source's
    minimum (its scrape interval); ``$__rate_interval`` is max(interval + scrape, 4 * scrape). An
    unknown variable raises KeyError rather than reaching Prometheus unexpanded.
    """
    interval = max(min_interval_s, math.ceil(range_s / MAX_POINTS))
    values = {"__interval": f"{interval}s", "__interval_ms": str(interval * 1000),
              "__rate_interval": f"{max(interval + min_interval_s, 4 * min_interval_s)}s",
              "__range": f"{max(1, math.ceil(range_s))}s", "datasource": "prometheus"}
    expanded = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values[m.group(1) or m.group(2)], expr)
    return expanded, interval
