"""The caller of a request, as the authentication middleware found it.

Handlers ask here rather than reading headers, so the one place that turns a
bearer key into a tenant and a role is the middleware, and a handler cannot
forget to scope by tenant without visibly ignoring ``principal_of``.
"""

from aiohttp import web

from runtime.access import ANONYMOUS, Principal

PRINCIPAL = "sqllint.principal"


def principal_of(request: web.Request) -> Principal:
    """Who sent ``request``: set by the authentication middleware for every API route."""
    return request.get(PRINCIPAL, ANONYMOUS)
