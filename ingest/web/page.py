"""GET / and GET /static/{name}: the web page, with this SQLFluff's dialects and rules written in.

The page needs the dialect list and the rule list, but the API has no endpoint
for them and should not grow one for a page: they are rendered into the HTML
once per app at startup (SQLFluff's registry is slow to load, and never
changes while the process runs), not at import time, so importing the ingest
stays cheap. Assets are an allow-list by name, so the route cannot be walked
to any other file, and a Content-Security-Policy tells the browser to load
nothing from another origin.
"""

import asyncio
import json
from html import escape
from importlib.metadata import version
from pathlib import Path

import sqlfluff
from aiohttp import web

import reports
from ingest.errors import RequestRejectedError
from schemas.error_codes import ErrorCode

HERE = Path(__file__).parent
DEFAULT_DIALECT = "ansi"
ASSETS = {
    "app.js": "text/javascript",
    "jobs.js": "text/javascript",
    "detail.js": "text/javascript",
    "zip.js": "text/javascript",
    "key.js": "text/javascript",
    "stream.js": "text/javascript",
    "app.css": "text/css",
}
# Scripts, styles and requests stay on this origin; inline scripts never run (the data block is JSON).
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE = web.AppKey("web_page", bytes)


def dialect_options() -> str:
    """One ``<option>`` per dialect this SQLFluff knows, ANSI selected, as the API's default."""
    options = []
    for dialect in sorted(sqlfluff.list_dialects(), key=lambda d: d.name.lower()):
        selected = " selected" if dialect.label == DEFAULT_DIALECT else ""
        options.append(
            f'<option value="{escape(dialect.label)}"{selected}>{escape(dialect.name)} '
            f"({escape(dialect.label)})</option>"
        )
    return "\n".join(options)


def page_data() -> dict[str, object]:
    """What the script needs to judge rule inputs and offer downloads: rules, report formats, version."""
    rules = [
        {"code": r.code, "name": r.name, "description": r.description, "groups": list(r.groups),
         "aliases": list(r.aliases)}
        for r in sqlfluff.list_rules()
    ]
    formats = [{"name": name, "extension": spec.extension, "media_type": spec.media_type}
               for name, spec in reports.FORMATS.items()]
    return {"sqlfluff_version": version("sqlfluff"), "rules": rules, "formats": formats}


def render_page(template: str) -> bytes:
    """The page: the template with the dialect options and the data block filled in."""
    # ``<`` escaped so no rule text can close the data block early.
    data = json.dumps(page_data(), separators=(",", ":")).replace("<", "\\u003c")
    html = template.replace("<!--DIALECTS-->", dialect_options()).replace("<!--DATA-->", data)
    return html.replace("<!--SQLFLUFF_VERSION-->", escape(version("sqlfluff"))).encode()


async def build_at_startup(app: web.Application) -> None:
    """Render the page once for this app, off the event loop (loading the rules takes a moment)."""
    template = await asyncio.to_thread((HERE / "index.html").read_text, encoding="utf-8")
    app[PAGE] = await asyncio.to_thread(render_page, template)


async def index(request: web.Request) -> web.Response:
    """GET /: the page."""
    return web.Response(
        body=request.app[PAGE], content_type="text/html", charset="utf-8",
        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"},
    )


async def asset(request: web.Request) -> web.FileResponse:
    """GET /static/{name}: one file of the allow-list."""
    name = request.match_info["name"]
    content_type = ASSETS.get(name)
    if content_type is None:
        raise RequestRejectedError(ErrorCode.NOT_FOUND, f"no asset {name[:64]!r}")
    return web.FileResponse(
        HERE / name,
        headers={"Content-Type": f"{content_type}; charset=utf-8", "Cache-Control": "no-cache"},
    )
