"""The caller of a request, as the authentication middleware found it.

Handlers ask here rather than reading headers, so the one place that turns a
bearer key into a tenant and a role is the middleware, and a handler cannot
forget to scope by tenant without visibly ignoring ``principal_of``.
"""

from aiohttp import web

from runtime.access import Principal

PRINCIPAL = web.RequestKey("principal", Principal)


def principal_of(request: web.Request) -> Principal:
    """Who sent ``request``: set by the authentication middleware (``ingest/auth.py``) for every API route.

    Strict: a handler asking on a route the middleware did not guard is a bug
    (a public route in ``ingest/access_rules.py``, or an app built without the
    middleware), answered 500 rather than served as some default caller.
    """
    try:
        return request[PRINCIPAL]
    except KeyError:
        where = f"{request.method} {request.path}"
        raise RuntimeError(f"no principal on {where}: the route is not guarded") from None
