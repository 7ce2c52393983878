"""The docs page: Swagger UI served entirely by the ingest, nothing from another host."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

pytestmark = pytest.mark.integration
Client = TestClient[web.Request, web.Application]


class Links(HTMLParser):
    """Every URL the page makes the browser load or follow: src, href and data-spec-url."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href", "data-spec-url"} and value]



async def test_the_page_and_every_asset_it_names_come_from_the_ingest(reader: Client) -> None:
    resp = await reader.get("/api/v1/docs")
    assert resp.status == 200 and resp.content_type == "text/html"
    policy = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    links = Links()
    links.feed(await resp.text())
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in links.urls
    assert "/api/v1/openapi.json" in links.urls
    types = {}
    for url in links.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), f"{url} is not on this host"
        asset = await reader.get(url)
        assert asset.status == 200, url
        assert len(await asset.read()) > 0, url
        types[url.rsplit("/", 1)[-1]] = asset.content_type
    assert types["swagger-ui-bundle.js"] == types["api-docs.js"] == "text/javascript"
    assert types["swagger-ui.css"] == "text/css" and types["favicon-32x32.png"] == "image/png"


async def test_the_bundled_swagger_ui_reads_openapi_3_1(reader: Client) -> None:
    """Swagger UI renders 3.1 documents from 5.0 on; 4.x shows an 'unsupported version' error instead."""
    bundle = await (await reader.get("/api/v1/docs/assets/swagger-ui-bundle.js")).text()
    assert "3.1" in bundle and "OpenApi3_1" in bundle


async def test_the_page_script_never_calls_the_public_validator(reader: Client) -> None:
    script = await (await reader.get("/api/v1/docs/assets/api-docs.js")).text()
    assert "validatorUrl: null" in script


@pytest.mark.parametrize("name", ["nope.js", "..%2F..%2Fsettings.py", "index.html", "swagger-initializer.js"])
async def test_only_the_listed_assets_are_served(reader: Client, name: str) -> None:
    resp = await reader.get(f"/api/v1/docs/assets/{name}")
    body = await resp.json()
    assert (resp.status, body["error"]["code"]) == (404, "NOT_FOUND")
