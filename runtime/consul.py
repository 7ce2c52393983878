"""Talking to the local Consul agent: register a service, keep its TTL check passing, deregister.

Discovery is a convenience, not a dependency: every call reports success as
a boolean and logs a failure, so an unreachable agent never stops a service.
A worker serves no health page (its web server is optional), so its check is
a TTL the worker itself refreshes from its heartbeat loop: a worker that
hangs or dies turns critical after the TTL, and the agent drops it later.
"""

import logging
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

log = logging.getLogger(__name__)
AGENT_TIMEOUT_S = 5.0


def ttl_check_id(service_id: str) -> str:
    """The id of the TTL check registered with ``service_id``."""
    return f"service:{service_id}:ttl"


def ttl_service(service_id: str, name: str, ttl_s: float, **fields: Any) -> dict[str, Any]:
    """A service definition with one TTL check, passing from the start; ``fields`` add Tags, Meta, Port."""
    return {
        "ID": service_id,
        "Name": name,
        **fields,
        "Check": {
            "CheckID": ttl_check_id(service_id),
            "Name": f"{name} heartbeat",
            "TTL": f"{ttl_s:g}s",
            "Status": "passing",
            "DeregisterCriticalServiceAfter": "10m",
        },
    }


class ConsulAgent:
    """The agent's HTTP API at ``host:port``; one session for the life of the service."""

    def __init__(self, host: str, port: int) -> None:
        self.base = f"http://{host}:{port}/v1/agent"
        self._session: ClientSession | None = None

    async def call(self, path: str, body: dict[str, Any] | None = None) -> bool:
        """``PUT <base><path>``; True when the agent accepted it."""
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=AGENT_TIMEOUT_S))
        url = self.base + path
        try:
            async with self._session.put(url, json=body) as answer:
                if answer.status < 300:
                    return True
                log.warning("consul refused %s (%s): %s", url, answer.status, await answer.text())
        except (ClientError, TimeoutError) as exc:
            log.warning("consul unreachable at %s: %r", url, exc)
        return False

    async def register(self, service: dict[str, Any]) -> bool:
        """Add (or replace) ``service`` in the agent's catalogue."""
        return await self.call("/service/register", service)

    async def pass_ttl(self, service_id: str, note: str = "") -> bool:
        """Mark the service's TTL check passing for one more TTL."""
        body = {"Status": "passing", "Output": note}
        return await self.call(f"/check/update/{ttl_check_id(service_id)}", body)

    async def deregister(self, service_id: str) -> bool:
        """Remove the service and its checks."""
        return await self.call(f"/service/deregister/{service_id}")

    async def close(self) -> None:
        """Close the HTTP session (after the last call)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()
