"""Registering the service with a local Consul agent, when ``CONSUL_HOST`` is set.

Discovery is a convenience, not a dependency: an unreachable agent is logged
and the service runs on. The agent probes /health/ready, so a replica that
loses Kafka or the database leaves the pool by itself.
"""

import logging
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from ingest.settings import IngestSettings
from runtime.consul import ConsulAgent

log = logging.getLogger(__name__)
SERVICE_NAME = "sqllint-ingest"
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def advertised_address(settings: IngestSettings) -> str:
    """The address other hosts reach us at: the bound one unless it is a wildcard."""
    return socket.gethostname() if settings.host in _WILDCARDS else settings.host


def registration(settings: IngestSettings) -> dict[str, Any]:
    """The agent's service definition, with an HTTP check on readiness."""
    address = advertised_address(settings)
    return {
        "ID": f"{SERVICE_NAME}-{address}-{settings.port}",
        "Name": SERVICE_NAME,
        "Address": address,
        "Port": settings.port,
        "Tags": ["http", "api-v1"],
        "Check": {
            "HTTP": f"http://{address}:{settings.port}/health/ready",
            "Interval": "10s",
            "Timeout": "3s",
            "DeregisterCriticalServiceAfter": "5m",
        },
    }


def consul_ctx(settings: IngestSettings) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context registering at start and deregistering at stop."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        if not settings.consul_host:
            yield
            return
        agent = ConsulAgent(settings.consul_host, settings.consul_port)
        service = registration(settings)
        try:
            registered = await agent.register(service)
            if registered:
                log.info("registered %s with consul at %s", service["ID"], settings.consul_host)
            yield
            if registered:
                await agent.deregister(service["ID"])
        finally:
            await agent.close()

    return ctx
