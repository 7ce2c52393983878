"""The URL map of the API, in one place."""

from aiohttp import web

from ingest import health, jobs, monitoring, tasks
from ingest.post_job import post_job
from ingest.scrape import scrape

WORKER = "/api/v1/monitoring/workers/{worker_id}"


def setup_routes(app: web.Application) -> None:
    """Attach every route to ``app``."""
    app.router.add_post("/api/v1/jobs", post_job)
    app.router.add_get("/api/v1/jobs", jobs.list_all_jobs)
    app.router.add_get("/api/v1/jobs/{job_id}", jobs.get_job_status)
    app.router.add_get("/api/v1/jobs/{job_id}/results", jobs.get_job_results)
    app.router.add_get("/api/v1/tasks/{task_id}", tasks.get_task_status)
    app.router.add_get("/api/v1/tasks/{task_id}/result", tasks.get_task_result)
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
