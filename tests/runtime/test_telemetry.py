"""The telemetry kit on its own: JSON lines with identity and job context, rotation, W3C headers."""

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from structlog.contextvars import bound_contextvars

from runtime.settings import ServiceSettings
from runtime.telemetry.kafka_headers import extract, inject
from runtime.telemetry.logging import is_console, log_handlers
from runtime.telemetry.tracing import consuming, enabled, writing_batch


@pytest.fixture
def logger(request: pytest.FixtureRequest) -> Iterator[logging.Logger]:
    """A logger of its own, so the suite's root logger and pytest's capture are left alone."""
    log = logging.getLogger(f"tests.telemetry.{request.node.name}")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in log.handlers[:]:
        log.removeHandler(handler)
        handler.close()


def test_a_stdlib_record_becomes_one_json_line_with_identity_and_job(logger: logging.Logger) -> None:
    out = io.StringIO()
    for handler in log_handlers("sink", "sink@h-1", ServiceSettings(), stream=out):
        logger.addHandler(handler)
    with bound_contextvars(job_id="j-1", task_id="t-1"):
        logger.warning("batch of %d written", 3)
    logger.info("no job here")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    order = ["timestamp", "level", "service", "worker_id", "logger", "message", "job_id", "task_id"]
    assert list(first)[:8] == order
    assert first["message"] == "batch of 3 written" and first["level"] == "warning"
    assert (first["service"], first["worker_id"], first["job_id"]) == ("sink", "sink@h-1", "j-1")
    assert first["logger"] == logger.name and first["timestamp"].endswith("Z")
    assert "job_id" not in second


def test_exceptions_stay_inside_their_json_line(logger: logging.Logger) -> None:
    out = io.StringIO()
    for handler in log_handlers("ingest", "h-2", ServiceSettings(), stream=out):
        logger.addHandler(handler)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    (line,) = out.getvalue().splitlines()
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_the_log_file_rotates_and_keeps_json(logger: logging.Logger, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "svc.log"
    settings = ServiceSettings(log_file=path, log_file_max_bytes=2000, log_file_backups=2)
    for handler in log_handlers("processors", "p@h-3", settings, stream=io.StringIO()):
        logger.addHandler(handler)
    for i in range(100):
        logger.info("line %d", i)
    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == ["svc.log", "svc.log.1", "svc.log.2"]
    for file in files:
        assert all(json.loads(line)["service"] == "processors" for line in file.read_text().splitlines())


def test_console_only_on_a_terminal_or_when_asked() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert not is_console("auto", io.StringIO())
    assert is_console("auto", Terminal())
    assert is_console("console", io.StringIO())
    assert not is_console("json", Terminal())


def test_console_lines_are_for_people(logger: logging.Logger) -> None:
    out = io.StringIO()
    for handler in log_handlers("ingest", "h-4", ServiceSettings(log_format="console"), stream=out):
        logger.addHandler(handler)
    logger.info("hello")
    line = out.getvalue()
    assert "hello" in line and not line.startswith("{") and "\x1b[" not in line


def test_trace_context_round_trips_through_kafka_headers() -> None:
    assert inject() is None  # no span, no headers
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("produce") as span:
        headers = inject()
    assert headers is not None and headers[0][0] == "traceparent"
    expected = span.get_span_context()
    for form in (headers, dict(headers), [(k, v.decode()) for k, v in headers]):
        carried = trace.get_current_span(extract(form)).get_span_context()
        assert (carried.trace_id, carried.span_id) == (expected.trace_id, expected.span_id)
        assert carried.is_remote
    assert not trace.get_current_span(extract(None)).get_span_context().is_valid


def test_while_not_tracing_consuming_still_binds_the_ids_and_a_batch_reads_no_headers(
    logger: logging.Logger,
) -> None:
    out = io.StringIO()
    for handler in log_handlers("processors", "p@h-5", ServiceSettings(), stream=out):
        logger.addHandler(handler)
    assert not enabled()
    with consuming("processors.lint", None, job_id="j-9", task_id=None) as span:
        logger.info("inside")
    assert not span.get_span_context().is_valid

    def headers() -> list[None]:
        raise AssertionError("headers read while not tracing")

    with writing_batch("sink.write", headers):
        logger.info("writing")
    inside, writing = (json.loads(line) for line in out.getvalue().splitlines())
    assert inside["job_id"] == "j-9" and "task_id" not in inside
    assert "job_id" not in writing
