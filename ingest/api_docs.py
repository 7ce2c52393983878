"""GET /api/v1/docs: Swagger UI over the OpenAPI document, with every asset served from here.

Nothing on the page comes from another host: Swagger UI's built files come
from the ``swagger-ui-bundle-v2`` package installed with the service, the
page's own files from ``ingest/static/api-docs``, and a Content-Security-Policy
tells the browser to load nothing else. Assets are an allow-list by name, so
the asset route cannot be walked to any other file.
"""

from functools import cache
from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from ingest.errors import RequestRejectedError
from schemas.error_codes import ErrorCode

OWN = Path(__file__).parent / "static" / "api-docs"
SWAGGER_UI_FILES = (
    "swagger-ui-bundle.js",
    "swagger-ui-bundle.js.map",
    "swagger-ui.css",
    "swagger-ui.css.map",
    "favicon-32x32.png",
    "favicon-16x16.png",
)
OWN_FILES = ("api-docs.js", "api-docs.css")
# Swagger UI sets inline styles and inline SVG/data: images; scripts and requests stay on this origin.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".map": "application/json"}


@cache
def assets() -> dict[str, Path]:
    """Asset name -> file, read from the installed bundle once."""
    bundle = Path(str(swagger_ui_path))
    found = {name: bundle / name for name in SWAGGER_UI_FILES}
    found.update({name: OWN / name for name in OWN_FILES})
    return found


async def docs_page(_request: web.Request) -> web.FileResponse:
    """GET /api/v1/docs."""
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": POLICY}
    return web.FileResponse(OWN / "index.html", headers=headers)


async def docs_asset(request: web.Request) -> web.FileResponse:
    """GET /api/v1/docs/assets/{name}: one file of the allow-list, cacheable for an hour."""
    name = request.match_info["name"]
    path = assets().get(name)
    if path is None:
        raise RequestRejectedError(ErrorCode.NOT_FOUND, f"no asset {name[:64]!r}")
    content_type = _TYPES[path.suffix]
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    return web.FileResponse(
        path, headers={"Content-Type": content_type, "Cache-Control": "public, max-age=3600"}
    )
