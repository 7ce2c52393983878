"""The access table covers every route of the app, and only the documented ones are public."""

from pathlib import Path

from ingest.access_rules import PUBLIC, RULES, rule_key
from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.access import Ability

# docs/security.md: probes, the scrape, the page and its assets, the API's own description.
PUBLIC_PREFIXES = ("/health", "/metrics", "/static/", "/api/v1/openapi.json", "/api/v1/docs")


def _routes(tmp_path: Path) -> set[tuple[str, str]]:
    settings = IngestSettings(database_url=f"sqlite:///{tmp_path / 'x.db'}", nfs_share_root_path=tmp_path)
    app = create_app(settings)
    return {
        rule_key(route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method not in {"OPTIONS", "*"}
    }


def test_every_route_has_a_rule_and_every_rule_a_route(tmp_path: Path) -> None:
    routes = _routes(tmp_path)
    assert routes - set(RULES) == set(), "routes missing from ingest/access_rules.py"
    assert set(RULES) - routes == set(), "rules for routes that no longer exist"


def test_only_probes_scrape_page_and_api_description_are_public() -> None:
    public = {path for (_, path), need in RULES.items() if need == PUBLIC}
    assert all(path == "/" or path.startswith(PUBLIC_PREFIXES) for path in public), public
    guarded = {path for (_, path), need in RULES.items() if need != PUBLIC}
    assert all(path.startswith("/api/v1/") for path in guarded)
    assert not [path for path in guarded if path.startswith(PUBLIC_PREFIXES)]


def test_every_write_of_state_needs_submit_or_control() -> None:
    writes = {need for (method, _), need in RULES.items() if method != "GET"}
    assert writes <= {Ability.SUBMIT, Ability.CONTROL}
    assert {need for (_, path), need in RULES.items() if path.endswith("/control")} == {Ability.CONTROL}
