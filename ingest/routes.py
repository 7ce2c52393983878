"""The URL map of the API, in one place."""

from aiohttp import web

from ingest import api_docs, health, job_events, jobs, monitoring, openapi, tasks
from ingest.post_job import post_job
from ingest.scrape import scrape
from ingest.web import page as web_page

WORKER = "/api/v1/monitoring/workers/{worker_id}"


def setup_routes(app: web.Application) -> None:
    """Attach every route to ``app``."""
    app.router.add_post("/api/v1/jobs", post_job)
    app.router.add_get("/api/v1/jobs", jobs.list_all_jobs)
    app.router.add_get("/api/v1/jobs/{job_id}", jobs.get_job_status)
    app.router.add_get("/api/v1/jobs/{job_id}/results", jobs.get_job_results)
    app.router.add_get("/api/v1/jobs/{job_id}/events", job_events.job_events)
    app.router.add_get("/api/v1/tasks/{task_id}", tasks.get_task_status)
    app.router.add_get("/api/v1/tasks/{task_id}/result", tasks.get_task_result)
    app.router.add_get("/api/v1/tasks/{task_id}/fix", tasks.get_task_fix_result)
    app.router.add_get("/api/v1/monitoring/workers", monitoring.list_workers)
    app.router.add_get(WORKER, monitoring.get_worker)
    app.router.add_post(f"{WORKER}/control", monitoring.control_worker)
    app.router.add_get("/api/v1/monitoring/queues", monitoring.get_queues)
    app.router.add_get("/api/v1/monitoring/system", monitoring.get_system)
    app.router.add_get("/api/v1/health/workers", health.workers)
    app.router.add_get("/health", health.ready)
    app.router.add_get("/health/live", health.live)
    app.router.add_get("/health/ready", health.ready)
    app.router.add_get("/metrics", scrape)
    app.router.add_get("/", web_page.index)
    app.router.add_get("/static/{name}", web_page.asset)
    app.on_startup.append(web_page.build_at_startup)  # the page, with SQLFluff's dialects and rules
    app.router.add_get("/api/v1/openapi.json", openapi.serve)
    app.router.add_get("/api/v1/docs", api_docs.docs_page)
    app.router.add_get("/api/v1/docs/assets/{name}", api_docs.docs_asset)
    app.on_startup.append(openapi.build_at_startup)  # after every route is added, before serving
