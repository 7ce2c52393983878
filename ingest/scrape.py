"""GET /metrics: refresh what is read at scrape time, then render the registry."""

from aiohttp import web

from ingest.services import SERVICES


async def scrape(request: web.Request) -> web.Response:
    """Prometheus text; ``sql_linting_active_jobs`` is counted in the database (cached for a second)."""
    services = request.app[SERVICES]
    await services.active_jobs.refresh()
    return await services.metrics.handle(request)
