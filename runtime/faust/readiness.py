"""A worker's ``/health/ready``, beside ``/metrics`` on its own web server: it holds partitions, or not.

A Faust worker whose process is up may still wait for the group to hand it
partitions (after a crash, until the dead member's session ends; after a join,
until the rebalance settles). Until then nothing it was meant to do moves, so
the page says ``not_ready`` and why, and a rollout or an operator waits for it.
"""

import json

import faust
from faust.web import Request, Response, View

from runtime.faust.worker_state import WorkerState

READY_PATH = "/health/ready"


def readiness_body(state: WorkerState) -> tuple[int, dict[str, str]]:
    """HTTP status and body: ``200 ready`` or ``503 not_ready`` with the reason."""
    ready, reason = state.readiness()
    status = "ready" if ready else "not_ready"
    return (200 if ready else 503), {"status": status, "worker_id": state.worker_id, "reason": reason}


def serve_readiness(app: faust.App, state: WorkerState) -> None:
    """Add the page to ``app``'s web server (the caller serves one: its metrics port is set)."""

    class ReadyView(View):
        """Probed by Kubernetes and the harness every few seconds: cheap, from memory."""

        async def get(self, request: Request) -> Response:
            """The worker's readiness now."""
            code, body = readiness_body(state)
            return self.bytes(json.dumps(body).encode(), content_type="application/json", status=code)

    app.page(READY_PATH, name="ready")(ReadyView)
