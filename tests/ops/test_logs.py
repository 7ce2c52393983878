"""Every line a real service writes is one JSON object naming its service, worker and logger.

Read from the services' own output (stdout and stderr, as the harness keeps
them), after an orderly stop, so start-up, Faust's and aiohttp's lines and
the shutdown lines are all checked; the lines about the job carry its id,
and the job's SQL never appears.
"""

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from harness.settings import lint_layout
from tests.ops.stack_probes import private_stack

pytestmark = pytest.mark.integration
FIELDS = {"timestamp", "level", "service", "worker_id", "logger", "message"}
MARKER = "zz_secret_column_7731"
# Python's multiprocessing resource tracker (a child of the lint pool, not a logger of ours) may warn
# of a semaphore left by the pool after the worker exited: a CPython/pebble shutdown quirk, printed
# by the tracker itself once no process of the service is left to format it. Only that is let through.
TRACKER = re.compile(
    r"/\S+/multiprocessing/resource_tracker\.py:\d+: UserWarning: resource_tracker: |  warnings\.warn\("
)


def _records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text().splitlines()
    assert lines, f"{path} is empty"
    records = []
    for line in lines:
        if TRACKER.match(line):
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"{path.name}: not a JSON line: {line[:300]}")
    return records


def test_every_line_of_every_service_is_json_with_identity_and_job(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with private_stack(kafka_bootstrap, mysql_server_url, tmp_path, lint_layout(1)) as (stack, _):
        status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": f"select {MARKER} from t\n"})
        assert status == 202, body
        job_id = body["job_id"]
        assert stack.wait_job(job_id)["job_status"] == "COMPLETED"
        logs = {name: service.log for name, service in stack.services.items()}
    records = {name: _records(path) for name, path in logs.items()}
    host = socket.gethostname()
    for name, lines in records.items():
        for record in lines:
            assert record.keys() >= FIELDS, record
            assert record["service"] == name
        worker_ids = {record["worker_id"] for record in lines}
        assert len(worker_ids) == 1, worker_ids
        pattern = rf"{re.escape(host)}-\d+" if name == "ingest" else rf"{name}@[\w.-]+-\d+"
        assert re.fullmatch(pattern, worker_ids.pop())
        assert MARKER not in logs[name].read_text()
    loggers = {name: {record["logger"] for record in lines} for name, lines in records.items()}
    assert "aiohttp.access" in loggers["ingest"]
    assert any(logger.startswith("faust.") for logger in loggers["processors"] | loggers["sink"])
    about_job = {name: [r for r in lines if r.get("job_id") == job_id] for name, lines in records.items()}
    assert any(r["logger"] == "aiohttp.access" and "POST /api/v1/jobs" in r["message"]
               for r in about_job["ingest"]), about_job["ingest"]
    assert any("expanded into 1 files" in r["message"] for r in about_job["processors"])
