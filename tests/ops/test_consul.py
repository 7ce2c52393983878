"""The workers in a real Consul agent: registered with a passing TTL check, kept passing, gone on stop."""

import time
import urllib.request
from pathlib import Path

import pytest

from harness.stack import running
from schemas.topics import TopicNames
from tests.ops.conftest import ops_stack_settings
from tests.ops.tools import consul_agent, get_json, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
WORKERS = ("sqllint-processors", "sqllint-sink")


def _passing(port: int) -> dict[str, str]:
    """Service name -> status of its TTL check, for the workers registered with the agent."""
    checks = get_json(f"http://127.0.0.1:{port}/v1/agent/checks").values()
    return {c["ServiceName"]: c["Status"] for c in checks if c["ServiceName"] in WORKERS}


def test_workers_register_stay_passing_and_deregister_on_stop(
    kafka_bootstrap: str, topic_names: TopicNames, tmp_path: Path
) -> None:
    with consul_agent(tmp_path) as port:
        env = {"CONSUL_HOST": "127.0.0.1", "CONSUL_PORT": str(port)}
        with running(ops_stack_settings(kafka_bootstrap, tmp_path, topic_names, **env)) as stack:
            wait_for(lambda: _passing(port) == dict.fromkeys(WORKERS, "passing"), 30, "both workers passing")
            services = get_json(f"http://127.0.0.1:{port}/v1/agent/services")
            by_name = {s["Service"]: s for s in services.values()}
            processors = by_name["sqllint-processors"]
            assert processors["ID"].startswith("processors@")
            assert processors["ID"].endswith(f"-{stack.services['processors'].pid}")
            assert processors["Port"] == int(stack.env["PROCESSORS_METRICS_PORT"])
            assert processors["Tags"] == ["processors", "metrics"]
            assert processors["Meta"]["consumer_group"] == stack.env["PROCESSORS_CONSUMER_GROUP_ID"]
            time.sleep(6)  # longer than the 5 s TTL: only the heartbeats keep the checks passing
            assert _passing(port) == dict.fromkeys(WORKERS, "passing")
            forget = f"http://127.0.0.1:{port}/v1/agent/service/deregister/{processors['ID']}"
            urllib.request.urlopen(urllib.request.Request(forget, method="PUT"), timeout=10).close()
            assert "sqllint-processors" not in _passing(port)  # as after an agent's restart
            wait_for(lambda: _passing(port).get("sqllint-processors") == "passing", 10, "registered again")
            stack.stop("processors")
            stack.stop("sink")
            wait_for(lambda: not _passing(port), 20, "both workers deregistered")
            names = {s["Service"] for s in get_json(f"http://127.0.0.1:{port}/v1/agent/services").values()}
            assert names.isdisjoint(WORKERS)
