"""A running stack: the ingest, the processor workers and the sink, started, watched and stopped.

``running(settings)`` is the one way every caller starts the services: it
starts them, waits until they really serve (the ingest's ``/health/ready``,
and each Faust worker holding partitions in its consumer group), and stops
them all on the way out, whatever happened inside the ``with`` block.
"""

import signal
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from harness import http, resources
from harness.process import Service
from harness.readiness import wait_ready
from harness.settings import StackSettings, environment, ingest_url

FINAL = frozenset({"COMPLETED", "PARTIALLY_COMPLETED", "FAILED"})


class ServiceDiedError(RuntimeError):
    """A service of the stack exited while it should have been serving."""


@dataclass
class Stack:
    """Handles on the services of one stack, by name.

    Names: ``ingest``, ``sink``, and ``processors`` (``processors-<i>`` when there are several).
    """

    settings: StackSettings
    env: dict[str, str]
    base_url: str
    services: dict[str, Service] = field(default_factory=dict)
    # Sent as ``Authorization: Bearer`` by ``request`` (and so ``wait_job``) when the stack requires keys.
    api_key: str | None = None

    def start(self, name: str, module: str, **overlay: str) -> Service:
        """Start one more service process with the stack's environment plus ``overlay``."""
        service = Service(name, module, {**self.env, **overlay}, self.settings.workdir,
                          self.settings.logs / f"{name}.log", self.settings.echo)
        self.services[name] = service
        service.start()
        return service

    def pids(self) -> dict[str, int]:
        """Service name -> process id (for sampling and profiling)."""
        return {name: service.pid for name, service in self.services.items()}

    def assert_alive(self) -> None:
        """Raise, with the tail of their logs, when services died instead of waiting for them forever."""
        dead = {n: s.returncode() for n, s in self.services.items() if s.returncode() is not None}
        if dead:
            tails = {n: self.services[n].log.read_text(errors="replace")[-3000:] for n in dead}
            raise ServiceDiedError(f"services died: {dead}\n{tails}")

    def signal(self, name: str, sig: signal.Signals) -> None:
        """Send ``sig`` to a service and its children (SIGSTOP freezes a worker with its pool)."""
        self.services[name].signal(sig)

    def kill(self, name: str) -> None:
        """``kill -9`` a service and its children."""
        self.services[name].kill()

    def restart(self, name: str) -> None:
        """Start a stopped or killed service again, with the same module and environment."""
        self.services[name].start()

    def stop(self, name: str, grace: float = 30) -> None:
        """Orderly stop of one service (SIGTERM, SIGKILL after ``grace`` seconds)."""
        self.services[name].stop(grace)

    def stop_all(self, grace: float = 30) -> None:
        """SIGTERM to every service at once, then wait for each within one shared grace period."""
        deadline = time.monotonic() + grace
        for service in self.services.values():
            service.terminate()
        for service in self.services.values():
            service.finish(deadline)

    def request(self, method: str, path: str, body: Any = None, *, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """An HTTP call to the ingest, with the stack's key unless ``headers`` say (harness.http.request)."""
        sent = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return http.request(self.base_url, method, path, body, data=data, headers={**sent, **(headers or {})})

    def wait_job(self, job_id: str, timeout: float = 90.0, interval: float = 0.2) -> dict[str, Any]:
        """Poll the job over HTTP until its status is final; fail with the logs when a service died."""
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            self.assert_alive()
            status, job = self.request("GET", f"/api/v1/jobs/{job_id}?size=500")
            if status == 200 and job["job_status"] in FINAL:
                return job
            time.sleep(interval)
        raise TimeoutError(f"job {job_id} not finished in {timeout}s: {job}")


def launch(settings: StackSettings, stack: Stack | None = None) -> Stack:
    """Start the stack's services (without waiting for them); the caller stops them.

    Services go into ``stack`` as they start, so a caller holding it can stop
    those already started when a later start fails or a signal interrupts.
    """
    stack = stack or new_stack(settings)
    stack.start("ingest", "ingest")
    if settings.pipeline:
        stack.start("sink", "sink", **worker_overlay(stack.env, "SINK_", "sink-0"))
        numbered = len(settings.processors) > 1
        for i, overlay in enumerate(settings.processors):
            stack.start(f"processors-{i}" if numbered else "processors", "processors",
                        **{**worker_overlay(stack.env, "PROCESSORS_", f"processors-{i}"), **overlay})
    return stack


def worker_overlay(env: Mapping[str, str], prefix: str, slot: str) -> dict[str, str]:
    """A worker's slot id (static group membership) and a web port of its own (``/health/ready``).

    The slot id brings a worker restarted after a crash back at once: it takes its old
    member's partitions instead of waiting for that member's session to end. Slots are
    numbered per stack, and each stack has its own consumer groups, so no two live workers
    of a group share one. The port lets the harness ask the worker itself whether it holds
    partitions. An environment that names either setting itself keeps its choice (an empty
    id: dynamic membership; port 0: no web server).
    """
    wanted = {f"{prefix}GROUP_INSTANCE_ID": slot, f"{prefix}METRICS_PORT": str(resources.free_port())}
    return {name: value for name, value in wanted.items() if name not in env}


def new_stack(settings: StackSettings) -> Stack:
    """The handle of a stack with nothing started yet: its environment and the ingest's address."""
    env = environment(settings)
    return Stack(settings, env, ingest_url(env))


@contextmanager
def running(settings: StackSettings, ready_timeout: float = 120) -> Iterator[Stack]:
    """The services of ``settings``, ready to serve; all stopped (gracefully first) on exit."""
    stack = new_stack(settings)
    try:
        launch(settings, stack)
        wait_ready(stack, ready_timeout)
        yield stack
    finally:
        stack.stop_all()

