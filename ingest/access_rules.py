"""What each route needs: an ability of the caller's role, or nothing (public).

One table for the whole API, read by the authentication middleware and by
the OpenAPI document (its per-operation ``security``), so what is enforced and
what is documented cannot drift. A route added to ``ingest/routes.py`` without
a line here fails ``tests/ingest/test_auth_rules.py`` rather than being
silently open or silently closed.

Public are the probes (``/health*``), the Prometheus scrape, the page and its
assets, and the API's own description: none of them shows a tenant's object.
"""

from typing import Final, Literal

from aiohttp import web

from runtime.access import Ability

Public = Literal["public"]
PUBLIC: Final[Public] = "public"
Need = Ability | Public

_JOB = "/api/v1/jobs/{job_id}"
_TASK = "/api/v1/tasks/{task_id}"
_WORKER = "/api/v1/monitoring/workers/{worker_id}"

# (method, resource canonical) -> what the caller needs. GET also covers HEAD, aiohttp's twin route.
RULES: Final[dict[tuple[str, str], Need]] = {
    ("POST", "/api/v1/jobs"): Ability.SUBMIT,
    ("GET", "/api/v1/jobs"): Ability.READ,
    ("GET", _JOB): Ability.READ,
    ("GET", f"{_JOB}/results"): Ability.READ,
    ("GET", f"{_JOB}/events"): Ability.READ,
    ("GET", _TASK): Ability.READ,
    ("GET", f"{_TASK}/result"): Ability.READ,
    ("GET", f"{_TASK}/fix"): Ability.READ,
    ("GET", "/api/v1/monitoring/workers"): Ability.MONITOR,
    ("GET", _WORKER): Ability.MONITOR,
    ("POST", f"{_WORKER}/control"): Ability.CONTROL,
    ("GET", "/api/v1/monitoring/queues"): Ability.MONITOR,
    ("GET", "/api/v1/monitoring/system"): Ability.MONITOR,
    # Names live workers and their lag: a monitoring view, though shaped as a health check.
    ("GET", "/api/v1/health/workers"): Ability.MONITOR,
    ("GET", "/health"): PUBLIC,
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/static/{name}"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,
    ("GET", "/api/v1/docs/assets/{name}"): PUBLIC,
}

# A browser's CORS preflight carries no credentials by design (Fetch standard); it reveals nothing.
_UNGUARDED_METHODS = frozenset({"OPTIONS"})


def rule_key(method: str, canonical: str) -> tuple[str, str]:
    """The table's key of a route: HEAD is GET's twin."""
    return ("GET" if method == "HEAD" else method, canonical)


def need_of(request: web.Request) -> Need | None:
    """What ``request``'s route needs; None when no route matched (aiohttp answers 404/405 itself)."""
    route = request.match_info.route
    resource = route.resource
    if resource is None or request.match_info.http_exception is not None:
        return None
    if request.method in _UNGUARDED_METHODS:
        return PUBLIC
    try:
        return RULES[rule_key(request.method, resource.canonical)]
    except KeyError:
        # A route nobody classified is closed to all but operators rather than open (a test catches it).
        return Ability.CONTROL
