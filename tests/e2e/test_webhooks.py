"""Webhooks end to end: a real stack POSTs one signed summary to a receiver on 127.0.0.1.

The stack allows private callbacks (the receiver is on loopback) and signs
with a test key; the receiver checks every signature with the secret an
operator would hand it (``python -m deploy webhook-secret``). Extra ingest
processes on the same stack show what an ingest refuses without the allow
setting, and without a signing key.
"""

import asyncio
import dataclasses
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import http, resources
from harness.http import multipart
from harness.stack import Stack, running
from schemas.topics import TopicNames
from tests.e2e.conftest import stack_settings
from tests.sink.webhook_receiver import Receiver, receiving

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
ROOT = Path(__file__).parents[2]
KEY = "e2e-webhook-signing-key-0123456789abcdef"
SQL = "select a,b from t where x=1;\n"
SHARED = ("job_id", "job_status", "submission_type", "file_name", "task_count", "tasks_succeeded",
          "tasks_failed", "violation_count", "error", "created_at", "finished_at")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """The receiver served by its own event loop in a thread, as a separate host would be."""
    started, stop = threading.Event(), threading.Event()
    holder: list[Receiver] = []

    async def serve() -> None:
        async with receiving(KEY) as ready:
            holder.append(ready)
            started.set()
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10), "the receiver did not start"
    yield holder[0]
    stop.set()
    thread.join(10)


@pytest.fixture(scope="module")
def webhook_stack(kafka_bootstrap: str, e2e_db_url: str, storage_root: Path, e2e_topics: TopicNames,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = stack_settings(kafka_bootstrap, e2e_db_url, tmp_path_factory.mktemp("stack"), storage_root,
                              e2e_topics, f"e2e-hooks-{resources.short_id()}")
    env = {"WEBHOOK_SIGNING_KEY": KEY, "INGEST_CALLBACK_ALLOW_PRIVATE": "true",
           "SINK_CALLBACK_ALLOW_PRIVATE": "true", "SINK_WEBHOOK_POLL_S": "0.2"}
    with running(dataclasses.replace(settings, env=env)) as started:
        yield started


def _handed_out_secret(origin: str) -> str:
    """What an operator runs to give the receiver its secret."""
    done = subprocess.run([sys.executable, "-m", "deploy", "webhook-secret", origin], check=True,
                          capture_output=True, text=True, env={"WEBHOOK_SIGNING_KEY": KEY}, cwd=ROOT)
    return done.stdout.strip()


def _wait_callback(stack: Stack, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = stack.request("GET", f"/api/v1/jobs/{job_id}")
        assert status == 200, job
        if job["callback"]["state"] not in ("WAITING", "PENDING"):
            return dict(job)
        time.sleep(0.2)
    raise TimeoutError(f"callback of job {job_id} not settled: {job['callback']}")


def test_a_finished_job_posts_one_signed_summary_that_matches_the_job(
    webhook_stack: Stack, receiver: Receiver
) -> None:
    receiver.secret = _handed_out_secret(receiver.origin)
    url = receiver.url("/e2e/one")
    status, body = webhook_stack.request("POST", "/api/v1/jobs",
                                         {"sql_content": SQL, "file_name": "a.sql", "callback_url": url})
    assert status == 202, body
    _, accepted = webhook_stack.request("GET", f"/api/v1/jobs/{body['job_id']}")
    assert accepted["callback"]["url"] == url and accepted["callback"]["attempts"] == 0
    webhook_stack.wait_job(body["job_id"])
    job = _wait_callback(webhook_stack, body["job_id"])
    callback = job["callback"]
    assert (callback["state"], callback["attempts"], callback["last_status_code"]) == ("DELIVERED", 1, 200)
    assert callback["delivered_at"] is not None and callback["last_error"] is None
    time.sleep(1.0)  # nothing else arrives later
    (call,) = receiver.at("/e2e/one")
    assert call.signature_ok
    assert call.headers["X-Sqllint-Event"] == "job.finished"
    summary = call.summary
    assert {name: summary[name] for name in SHARED} == {name: job[name] for name in SHARED}
    assert summary["job_status"] == "COMPLETED" and summary["violation_count"] > 0
    status, results = webhook_stack.request("GET", summary["results_path"])
    assert status == 200 and results[0]["filepath"] == "a.sql"


def test_a_form_submission_carries_its_callback(webhook_stack: Stack, receiver: Receiver) -> None:
    url = receiver.url("/e2e/form")
    data, content_type = multipart({"callback_url": url}, "q.sql", SQL.encode())
    status, body = webhook_stack.request("POST", "/api/v1/jobs", data=data,
                                         headers={"Content-Type": content_type})
    assert status == 202, body
    webhook_stack.wait_job(body["job_id"])
    assert _wait_callback(webhook_stack, body["job_id"])["callback"]["state"] == "DELIVERED"
    assert len(receiver.at("/e2e/form")) == 1


def test_a_job_without_a_callback_shows_none(webhook_stack: Stack) -> None:
    status, body = webhook_stack.request("POST", "/api/v1/jobs", {"sql_content": SQL})
    assert status == 202, body
    assert webhook_stack.wait_job(body["job_id"])["callback"] is None


def _extra_ingest(stack: Stack, name: str, **overlay: str) -> str:
    """One more ingest process on the stack's broker and database; its base URL once it is ready."""
    port = str(resources.free_port())
    stack.start(name, "ingest", INGEST_PORT=port, **overlay)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stack.assert_alive()
        try:
            if http.request(base, "GET", "/health/ready")[0] == 200:
                return base
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{name} not ready")


@pytest.fixture(scope="module")
def strict_ingest(webhook_stack: Stack) -> str:
    """An ingest of the same stack with the default: private callbacks refused."""
    return _extra_ingest(webhook_stack, "ingest-strict", INGEST_CALLBACK_ALLOW_PRIVATE="false")


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("http://127.0.0.1:9/hook", "UNSAFE_CALLBACK_URL", "a loopback address"),
        ("http://localhost:9/hook", "UNSAFE_CALLBACK_URL", "a loopback address"),
        ("http://[::1]:9/hook", "UNSAFE_CALLBACK_URL", "a loopback address"),
        ("http://169.254.169.254/latest/meta-data", "UNSAFE_CALLBACK_URL", "a link-local address"),
        ("http://no-such-host.invalid/hook", "UNSAFE_CALLBACK_URL", "resolves to no address"),
        ("ftp://example.com/hook", "INVALID_REQUEST", "absolute http or https URL"),
        ("https://user:pw@example.com/hook", "INVALID_REQUEST", "credentials"),
    ],
)
def test_an_ingest_without_the_allow_setting_refuses_unsafe_callbacks(
    strict_ingest: str, url: str, code: str, says: str
) -> None:
    asked = {"sql_content": SQL, "callback_url": url}
    status, body = http.request(strict_ingest, "POST", "/api/v1/jobs", asked)
    assert status == 400 and body["error"]["code"] == code, body
    assert says in body["error"]["message"]


def test_an_ingest_without_a_signing_key_refuses_any_callback(webhook_stack: Stack) -> None:
    base = _extra_ingest(webhook_stack, "ingest-unsigned", WEBHOOK_SIGNING_KEY="")
    status, body = http.request(base, "POST", "/api/v1/jobs",
                                {"sql_content": SQL, "callback_url": "https://example.com/hook"})
    assert status == 400 and body["error"]["code"] == "WEBHOOKS_DISABLED", body
