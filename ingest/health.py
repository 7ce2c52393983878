"""Liveness and readiness: is the process up, can it accept and answer jobs now, do the workers keep up."""

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from ingest.db import ping, run_db
from ingest.services import SERVICES, Services
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError


async def live(_request: web.Request) -> web.Response:
    """GET /health/live: 200 whenever the process serves HTTP."""
    return web.json_response({"status": "ok"})


async def _kafka(services: Services) -> None:
    timeout = services.settings.ready_timeout_s
    await asyncio.to_thread(services.publisher.check_topic, services.settings.topics.jobs, timeout)


async def _database(services: Services) -> None:
    await run_db(services.engine, ping)


async def _storage(services: Services) -> None:
    if not await asyncio.to_thread(services.storage.is_writable):
        raise LintServiceError(
            f"{services.storage.root} is not a writable folder", code=ErrorCode.STORAGE_UNAVAILABLE
        )


CHECKS: dict[str, Callable[[Services], Awaitable[None]]] = {
    "kafka": _kafka,
    "database": _database,
    "storage": _storage,
}


async def _run(check: Callable[[Services], Awaitable[None]], services: Services) -> str:
    try:
        await asyncio.wait_for(check(services), services.settings.ready_timeout_s + 1)
    except TimeoutError:
        return "timeout"
    except LintServiceError as exc:
        return f"{exc.code}: {exc.message}"
    return "ok"


async def ready(request: web.Request) -> web.Response:
    """GET /health/ready (and /health, the plan's path): 200 when Kafka, the database and storage answer."""
    services = request.app[SERVICES]
    results = await asyncio.gather(*(_run(check, services) for check in CHECKS.values()))
    checks = dict(zip(CHECKS, results, strict=True))
    ok = all(result == "ok" for result in results)
    return web.json_response(
        {"status": "ready" if ok else "not_ready", "checks": checks}, status=200 if ok else 503
    )


async def workers(request: web.Request) -> web.Response:
    """GET /api/v1/health/workers: 200 with a live worker of each role and a lag not only rising, else 503."""
    health = await request.app[SERVICES].operations.health()
    status = 200 if health.status == "healthy" else 503
    return web.json_response(text=health.model_dump_json(), status=status)
