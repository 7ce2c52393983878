"""One trace per job, holding spans of all three services, read back from a real Jaeger.

The stack exports over OTLP/HTTP to a private Jaeger v2 (in-memory storage,
built by ``infra/tools/jaeger.sh``) on free ports bound to 127.0.0.1: its
all-in-one default listens on fixed ports, so this configuration keeps only
an OTLP/HTTP receiver and the query API. Trace context crosses Kafka in the
messages' headers; the test finds each job's spans by the ``sqllint.job_id``
tag and checks they all share one trace with the ingest, the processors and
the sink in it.
"""

import io
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.http import multipart
from harness.resources import free_port
from harness.settings import lint_layout
from tests.ops.stack_probes import private_stack
from tests.ops.tools import get_json, process, tool, wait_for

CONFIG = """\
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [jaeger_storage_exporter]}}
  telemetry:
    metrics: {{level: none}}
    logs: {{level: warn}}
extensions:
  jaeger_query:
    storage: {{traces: memstore}}
    http: {{endpoint: "127.0.0.1:{query}"}}
    grpc: {{endpoint: "127.0.0.1:{grpc}"}}
  jaeger_storage:
    backends: {{memstore: {{memory: {{max_traces: 10000}}}}}}
receivers:
  otlp:
    protocols: {{http: {{endpoint: "127.0.0.1:{otlp}"}}}}
processors:
  batch: {{timeout: 200ms}}
exporters:
  jaeger_storage_exporter: {{trace_storage: memstore}}
"""


@dataclass(frozen=True)
class Jaeger:
    """Where to send spans (``OTEL_EXPORTER_OTLP_ENDPOINT``) and where to read traces back."""

    otlp_endpoint: str
    query_url: str

    def traces(self, service: str) -> list[dict[str, Any]]:
        """The recent traces holding a span of ``service``."""
        answer = get_json(f"{self.query_url}/api/traces?service={service}&limit=1000&lookback=1h")
        return list(answer["data"] or [])


@contextmanager
def running_jaeger(workdir: Path) -> Iterator[Jaeger]:
    """Jaeger serving until the block ends; built first when the binary is missing."""
    otlp, query, grpc = free_port(), free_port(), free_port()
    config = workdir / "jaeger.yaml"
    config.write_text(CONFIG.format(otlp=otlp, query=query, grpc=grpc))
    with process([tool("jaeger.sh"), "--config", str(config)], workdir / "jaeger.log"):
        jaeger = Jaeger(f"http://127.0.0.1:{otlp}", f"http://127.0.0.1:{query}")
        wait_for(lambda: get_json(f"{jaeger.query_url}/api/services"), 30, "the Jaeger query API")
        yield jaeger


pytestmark = pytest.mark.integration
SERVICES = {"ingest", "processors", "sink"}


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buf.getvalue()


def _job_traces(jaeger: Jaeger, job_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Job id -> its trace, for the jobs whose spans (tagged with the id) all sit in one trace."""
    found: dict[str, set[str]] = {job: set() for job in job_ids}
    traces: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        for trace in jaeger.traces(service):
            traces[trace["traceID"]] = trace
            for span in trace["spans"]:
                for tag in span["tags"]:
                    if tag["key"] == "sqllint.job_id" and tag["value"] in found:
                        found[tag["value"]].add(trace["traceID"])
    return {job: traces[ids.pop()] for job, ids in found.items() if len(ids) == 1}


def _services(trace: dict[str, Any]) -> set[str]:
    return {trace["processes"][span["processID"]]["serviceName"] for span in trace["spans"]}


def test_each_job_is_one_trace_through_ingest_processors_and_sink(
    kafka_bootstrap: str, mysql_server_url: str, tmp_path: Path
) -> None:
    with running_jaeger(tmp_path) as jaeger, private_stack(
        kafka_bootstrap, mysql_server_url, tmp_path, lint_layout(1),
        OTEL_EXPORTER_OTLP_ENDPOINT=jaeger.otlp_endpoint, OTEL_BSP_SCHEDULE_DELAY="200",
    ) as (stack, _):
        payload, content_type = multipart(
            {"dialect": "ansi"}, "three.zip", _zip({f"q{i}.sql": f"select a,b from t{i}\n" for i in range(3)})
        )
        status, zipped = stack.request("POST", "/api/v1/jobs", data=payload,
                                       headers={"Content-Type": content_type})
        assert status == 202, zipped
        status, inline = stack.request("POST", "/api/v1/jobs", {"sql_content": "select 1 from t\n"})
        assert status == 202, inline
        jobs = {zipped["job_id"]: 3, inline["job_id"]: 1}
        for job_id in jobs:
            stack.wait_job(job_id)
        deadline = time.monotonic() + 60
        while True:  # the sink's span ends after its commit, and spans are exported in batches
            traces = _job_traces(jaeger, set(jobs))
            if len(traces) == len(jobs) and all(_services(t) == SERVICES for t in traces.values()):
                break
            assert time.monotonic() < deadline, {job: _services(t) for job, t in traces.items()}
            time.sleep(0.5)
    for job_id, files in jobs.items():
        names = [span["operationName"] for span in traces[job_id]["spans"]]
        assert names.count("processors.lint") == files, names
        assert names.count("processors.expand") == 1, names
        assert "POST /api/v1/jobs" in names and "sink.write" in names, names
        print(f"job {job_id}: {len(names)} spans from {sorted(_services(traces[job_id]))}: {sorted(names)}")
