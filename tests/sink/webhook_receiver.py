"""A real callback receiver for the tests: an aiohttp server on 127.0.0.1 that checks every signature.

It verifies as docs/webhooks.md tells a receiver to, written out here rather
than taken from the sink, so a signature the sink gets wrong fails the tests:
the secret is HMAC-SHA256(key, "origin:" + origin) in hex, the signature an
HMAC-SHA256 under it over "<timestamp>.<body>", compared in constant time.
"""

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    """One request as the receiver saw it."""

    at: float
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def summary(self) -> dict[str, Any]:
        """The JSON body."""
        return dict(json.loads(self.body))


def receiver_secret(key: str, origin: str) -> str:
    """The hex secret an operator hands the receiver at ``origin``."""
    return hmac.new(key.encode(), f"origin:{origin}".encode(), hashlib.sha256).hexdigest()


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a receiver computes for itself from its secret."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass
class Receiver:
    """Answers each path's scripted statuses in turn (then 200); ``sleep`` delays a status of 0."""

    key: str
    secret: str = ""  # as handed out (python -m deploy webhook-secret); else derived from ``key`` here
    script: dict[str, list[int]] = field(default_factory=dict)
    sleep_s: float = 0.0
    received: list[Received] = field(default_factory=list)
    base: str = ""

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``, as the service names this receiver's submitter."""
        return self.base

    def url(self, path: str) -> str:
        """An absolute callback URL on this receiver."""
        return f"{self.base}{path}"

    def at(self, path: str) -> list[Received]:
        """What arrived on ``path``, in order."""
        return [one for one in self.received if one.path == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record, verify, then answer the next scripted status."""
        body = await request.read()
        stamp = request.headers.get("X-Sqllint-Timestamp", "")
        wanted = expected_signature(self.secret or receiver_secret(self.key, self.origin), stamp, body)
        given = request.headers.get("X-Sqllint-Signature-256", "")
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 300
        ok = fresh and hmac.compare_digest(wanted, given)
        self.received.append(Received(time.monotonic(), request.path, dict(request.headers), body, ok))
        statuses = self.script.get(request.path, [])
        status = statuses.pop(0) if statuses else 200
        if status == 0:  # a receiver that does not answer in time
            await asyncio.sleep(self.sleep_s)
            status = 200
        if 300 <= status < 400:
            raise web.HTTPFound(self.url("/redirected"))
        return web.Response(status=status, text="ok" if ok else "bad signature")


@asynccontextmanager
async def receiving(key: str, host: str = "127.0.0.1") -> AsyncIterator[Receiver]:
    """A receiver listening on ``host`` and a free port until the block ends."""
    receiver = Receiver(key)
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.base = f"http://{host}:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()
