"""The URL map of the API, in one place."""

from aiohttp import web

from ingest import health, jobs, tasks
from ingest.metrics import Metrics
from ingest.post_job import post_job


def setup_routes(app: web.Application, metrics: Metrics) -> None:
    """Attach every route to ``app``."""
    app.router.add_post("/api/v1/jobs", post_job)
    app.router.add_get("/api/v1/jobs", jobs.list_all_jobs)
    app.router.add_get("/api/v1/jobs/{job_id}", jobs.get_job_status)
    app.router.add_get("/api/v1/jobs/{job_id}/results", jobs.get_job_results)
    app.router.add_get("/api/v1/tasks/{task_id}", tasks.get_task_status)
    app.router.add_get("/api/v1/tasks/{task_id}/result", tasks.get_task_result)
    app.router.add_get("/health/live", health.live)
    app.router.add_get("/health/ready", health.ready)
    app.router.add_get("/metrics", metrics.handle)
