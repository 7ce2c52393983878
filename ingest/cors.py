"""Cross-origin access for browser dashboards, only from the configured origins.

With ``INGEST_CORS_ALLOWED_ORIGINS`` empty (the default) nothing is set up and
no answer carries CORS headers: a browser page elsewhere cannot read the API.
Control actions send ``Authorization``, so the header is allowed, but
credentials (cookies) are not: the token is the credential.
"""

import aiohttp_cors
from aiohttp import web

ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key")
EXPOSED_HEADERS = ("Retry-After", "Location")


def setup_cors(app: web.Application, origins: tuple[str, ...]) -> None:
    """Allow ``origins`` on every route already added to ``app``."""
    if not origins:
        return
    options = aiohttp_cors.ResourceOptions(
        allow_credentials=False,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_methods=("GET", "POST"),
        max_age=600,
    )
    cors = aiohttp_cors.setup(app, defaults=dict.fromkeys(origins, options))
    for route in list(app.router.routes()):
        cors.add(route)
