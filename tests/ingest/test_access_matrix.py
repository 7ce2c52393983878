"""Every route of the ingest, called by every kind of caller, answers as docs/security.md says.

A real app on the real broker and MariaDB, with real API keys (``runtime.api_keys``):
the four roles of tenant ``acme``, a submitter of another tenant (``globex``),
acme's revoked admin key and no key at all, with ``AUTH_REQUIRED=true``; and a
caller without a key with ``AUTH_REQUIRED=false``. The objects in the paths
are acme's: a finished job written by the sink, its first task, and a live
worker (a heartbeat on the real workers topic). Each cell is the answer's
status and error code; the table below is the one in docs/security.md
(``## Tenants``), and the routes are read from the app's router, so a new
route fails here until it has its row. Beyond the cell, another tenant's 404
must be byte for byte the 404 of an unknown id, a list shows only the
caller's tenant's jobs (an admin's: all), and a stream that opens runs to
its ``end``.
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.api_keys import create_key, revoke_key
from runtime.db import create_db_engine
from runtime.tenant_limits import TenantLimits, TenantLimitTable
from schemas.monitoring import WorkersView
from schemas.topics import TopicNames
from tests.ingest.beats import eventually, heartbeat, publish
from tests.ingest.tenant_jobs import Written, sink_jobs

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
Client = TestClient[web.Request, web.Application]
DOC = Path(__file__).parents[2] / "docs" / "security.md"
WORKER = "processors@matrix-host"
OPEN = "auth off"  # AUTH_REQUIRED=false, no key: the default tenant's submitter
CALLERS = ("none", "submitter", "reader", "operator", "admin", "other tenant", "revoked", OPEN)
U, F, J, T = "401 UNAUTHORIZED", "403 FORBIDDEN", "404 JOB_NOT_FOUND", "404 TASK_NOT_FOUND"
TABLE = f"""
| Route | {' | '.join(CALLERS)} |
|---|{'---|' * len(CALLERS)}
| `POST /api/v1/jobs` | {U} | 202 | {F} | {F} | 202 | 202 | {U} | 202 |
| `GET /api/v1/jobs` | {U} | 200 | 200 | {F} | 200 | 200 | {U} | 200 |
| `GET /api/v1/jobs/{{job_id}}` | {U} | 200 | 200 | {F} | 200 | {J} | {U} | {J} |
| `GET /api/v1/jobs/{{job_id}}/results` | {U} | 200 | 200 | {F} | 200 | {J} | {U} | {J} |
| `GET /api/v1/jobs/{{job_id}}/events` | {U} | 200 | 200 | {F} | 200 | {J} | {U} | {J} |
| `GET /api/v1/tasks/{{task_id}}` | {U} | 200 | 200 | {F} | 200 | {T} | {U} | {T} |
| `GET /api/v1/tasks/{{task_id}}/result` | {U} | 200 | 200 | {F} | 200 | {T} | {U} | {T} |
| `GET /api/v1/tasks/{{task_id}}/fix` | {U} | 200 | 200 | {F} | 200 | {T} | {U} | {T} |
| `GET /api/v1/monitoring/workers` | {U} | {F} | {F} | 200 | 200 | {F} | {U} | 200 |
| `GET /api/v1/monitoring/workers/{{worker_id}}` | {U} | {F} | {F} | 200 | 200 | {F} | {U} | 200 |
| `POST /api/v1/monitoring/workers/{{worker_id}}/control` | {U} | {F} | {F} | 202 | 202 | {F} | {U} | {U} |
| `GET /api/v1/monitoring/queues` | {U} | {F} | {F} | 200 | 200 | {F} | {U} | 200 |
| `GET /api/v1/monitoring/system` | {U} | {F} | {F} | 200 | 200 | {F} | {U} | 200 |
| `GET /api/v1/health/workers` | {U} | {F} | {F} | 503 | 503 | {F} | {U} | 503 |
| `GET /health` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /health/live` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /health/ready` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /metrics` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /static/{{name}}` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /api/v1/openapi.json` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /api/v1/docs` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /api/v1/docs/assets/{{name}}` | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
"""
Table = dict[str, dict[str, str]]


def parse(text: str) -> Table:
    """Route -> caller -> answer, from the markdown rows whose first cell is a `METHOD /path`."""
    table: Table = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].startswith("`") and len(cells) == len(CALLERS) + 1:
            table[cells[0].strip("`")] = dict(zip(CALLERS, cells[1:], strict=True))
    return table


EXPECTED = parse(TABLE)


def doc_section() -> str:
    """docs/security.md's ``## Tenants`` section, up to the next section."""
    text = DOC.read_text()
    start = text.index("\n## Tenants\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def routes_of(app: web.Application) -> set[str]:
    """``METHOD /canonical`` of every route; HEAD only as GET's twin (asserted), so it has no row."""
    routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None}
    heads = {path for method, path in routes if method == "HEAD"}
    assert heads <= {path for method, path in routes if method == "GET"}, "a HEAD route without its GET"
    return {f"{method} {path}" for method, path in routes if method != "HEAD"}


def test_the_doc_table_is_the_tests_table() -> None:
    assert parse(doc_section()) == EXPECTED
    assert TABLE.strip() in doc_section(), "docs/security.md's matrix is not this test's table verbatim"


def test_every_route_has_a_row(settings: IngestSettings) -> None:
    assert routes_of(create_app(settings)) == set(EXPECTED)


@dataclass(frozen=True)
class World:
    """What the requests are about, and who makes them."""

    acme: Written
    globex: Written
    keys: dict[str, str]  # caller -> its full API key


@pytest.fixture
def world(mysql_migrated_url: str) -> Iterator[World]:
    acme, globex = sink_jobs(mysql_migrated_url, "acme", "globex")
    engine = create_db_engine(mysql_migrated_url)
    with engine.begin() as conn:
        keys = {role: create_key(conn, "acme", role, name=f"matrix {role}")[1]
                for role in ("submitter", "reader", "operator", "admin")}
        keys["other tenant"] = create_key(conn, "globex", "submitter")[1]
        revoked_id, keys["revoked"] = create_key(conn, "acme", "admin")
        assert revoke_key(conn, revoked_id)
    engine.dispose()
    yield World(acme, globex, keys)


def fill(route: str, world: World, object_id: str | None = None) -> str:
    """The route's path for acme's objects (or ``object_id`` in place of the job or task)."""
    path = route.split(" ", 1)[1]
    return path.format(
        job_id=object_id or world.acme.job_id, task_id=object_id or world.acme.task_ids[0],
        worker_id=WORKER, name="app.css" if path.startswith("/static") else "swagger-ui.css",
    )


def body_of(route: str) -> dict[str, str] | None:
    if route == "POST /api/v1/jobs":
        return {"sql_content": "select a from t\n", "dialect": "ansi"}
    return {"action": "pause"} if route.startswith("POST") else None


async def call(client: Client, route: str, path: str, key: str | None) -> tuple[str, bytes]:
    """The answer as the table writes it ("status" or "status CODE"), and the body."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    method = route.split(" ", 1)[0]
    async with client.request(method, path, headers=headers, json=body_of(route)) as resp:
        body = await resp.read()
    try:
        error = json.loads(body)["error"]["code"] if resp.status >= 400 else None
    except (ValueError, KeyError, TypeError):
        error = None
    return (f"{resp.status} {error}" if error else str(resp.status)), body


async def observe(client: Client, world: World, callers: tuple[str, ...], seen: Table) -> None:
    """Fill ``seen`` for ``callers`` on this app, checking what a cell alone cannot show."""
    for route, row in EXPECTED.items():
        for caller in callers:
            key = world.keys.get(caller)
            answer, body = await call(client, route, fill(route, world), key)
            seen.setdefault(route, {})[caller] = answer
            if answer != row[caller]:
                continue  # reported with every other wrong cell at the end
            if answer in (J, T):
                _, unknown = await call(client, route, fill(route, world, str(uuid.uuid4())), key)
                assert body == unknown, f"{route} as {caller}: a 404 unlike an unknown id's"
            if route == "GET /api/v1/jobs" and answer == "200":
                assert listed(world, body) == visible(caller), f"the list as {caller}"
            if route.endswith("/events") and answer == "200":
                assert b"event: end" in body, f"the stream for {caller} did not run to its end"


def listed(world: World, body: bytes) -> set[str]:
    """Which of the two tenants' sink-written jobs a list shows (the POSTed ones aside)."""
    ids = {job["job_id"] for job in json.loads(body)["jobs"]}
    return {job.tenant for job in (world.acme, world.globex) if str(job.job_id) in ids}


def visible(caller: str) -> set[str]:
    """Whose jobs ``caller`` may list: its own tenant's; every tenant's for an admin."""
    return {"admin": {"acme", "globex"}, "other tenant": {"globex"}, OPEN: set()}.get(caller, {"acme"})


async def _live_worker(client: Client, key: str | None) -> None:
    """Wait until this app's heartbeat reader lists the worker the control route acts on."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    async def listed() -> bool | None:
        resp = await client.get("/api/v1/monitoring/workers", headers=headers)
        view = WorkersView.model_validate_json(await resp.read())
        return True if any(w.worker_id == WORKER for w in view.workers) else None

    await eventually(listed)


async def test_every_cell_answers_as_documented(
    settings: IngestSettings, world: World, mysql_migrated_url: str, kafka_bootstrap: str,
    topic_names: TopicNames,
) -> None:
    publish(kafka_bootstrap, topic_names, heartbeat(WORKER))
    base = settings.model_copy(update={
        "database_url": mysql_migrated_url,
        "worker_stale_after_s": 600.0,  # the worker stays live for the whole matrix
        # hundreds of requests in a few seconds: the rate limit has its own tests
        "tenant_limits": TenantLimitTable(default=TenantLimits(requests_per_second=10_000, burst=10_000)),
    })
    seen: Table = {}
    closed = base.model_copy(update={"auth_required": True})
    async with TestClient(TestServer(create_app(closed))) as client:
        await _live_worker(client, world.keys["operator"])
        await observe(client, world, CALLERS[:-1], seen)
    opened = base.model_copy(update={"auth_required": False})
    async with TestClient(TestServer(create_app(opened))) as client:
        await _live_worker(client, None)
        await observe(client, world, (OPEN,), seen)
    wrong = {f"{route} as {c}": (want, seen[route][c]) for route, row in EXPECTED.items()
             for c, want in row.items() if seen[route][c] != want}
    assert wrong == {}, "cells answering otherwise than documented (expected, got)"
