"""Scenario ``fairness``: tenant B's one-line jobs while tenant A's 2,000-file ZIP is being linted.

Tenant A uploads one ZIP of 2,000 distinct files (the repository's own SQLFluff
fixtures, cycled with a unique comment each, so no result cache helps). Once
its first results are in, tenant B sends one-line jobs one after another, each
timed from the first byte of its POST to the first ``GET`` that answers
COMPLETED (B's own key, polled every 20 ms): what a user of B sees. Every job B
started while the ZIP was being linted counts, however long it waited (a
starved job may well finish only after the ZIP). Each layout runs on its own
stack with authentication on, so the two tenants are told apart by their keys.
"""

import time
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from bench.common import Context, watched
from bench.corpus import FIXTURES, Corpus
from bench.report import Row, median
from bench.stack import StackSpec, submit_sql, submit_zip
from bench.watch import JobWatcher
from harness.stack import FINAL, Stack
from runtime.access import Role
from runtime.api_keys import create_key
from runtime.db import create_db_engine

FILES = 2000
TARGET_S = 2.0
POLL_S = 0.02
ONE_LINE = "select a from t  -- fairness {tag} {n}\n"
# The switch under test: 0 sends every job's tasks down the bulk lane (the service before the lane).
LAYOUTS: dict[str, dict[str, str]] = {
    "express lane off": {"PROCESSORS_EXPRESS_MAX_FILES": "0"},
    "express lane on": {},
}
# B polls at 50 requests/s: above the default per-tenant rate, which this scenario does not measure.
LIMITS = {"TENANT_LIMITS__DEFAULT__REQUESTS_PER_SECOND": "1000", "TENANT_LIMITS__DEFAULT__BURST": "1000"}


@dataclass(frozen=True)
class Figures:
    """One layout's run: B's job times (s) while the ZIP was linted, and the ZIP's own time."""

    one_line_s: list[float]
    zip_s: float
    zip_status: str


def _keys(db_url: str) -> dict[str, dict[str, str]]:
    engine: Engine = create_db_engine(db_url, pool_size=1)
    try:
        with engine.begin() as conn:
            made = {t: create_key(conn, t, Role.SUBMITTER, name="bench fairness")[1]
                    for t in ("tenant-a", "tenant-b")}
    finally:
        engine.dispose()
    return {t: {"Authorization": f"Bearer {key}"} for t, key in made.items()}


def _until_final(stack: Stack, job_id: str, auth: dict[str, str], timeout: float = 600) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = stack.request("GET", f"/api/v1/jobs/{job_id}?size=1", headers=auth)
        if status == 200 and body["job_status"] in FINAL:
            return str(body["job_status"])
        time.sleep(POLL_S)
    raise TimeoutError(f"job {job_id} not final in {timeout}s")


def _one_line(stack: Stack, auth: dict[str, str], text: str) -> float:
    started = time.perf_counter()
    job_id = submit_sql(stack, text, headers=auth)
    status = _until_final(stack, job_id, auth)
    if status != "COMPLETED":
        raise RuntimeError(f"tenant B's job {job_id} ended {status}")
    return time.perf_counter() - started


def _run(spec: StackSpec, corpus: Corpus, tag: str) -> Figures:
    with watched(spec, interval=0.02) as (stack, watcher):
        keys = _keys(stack.settings.database_url)
        _warm_up(stack, watcher, keys, tag)
        started = time.perf_counter()
        zip_id = submit_zip(stack, corpus.zip_bytes(), headers=keys["tenant-a"])
        zip_done = watcher.watch(zip_id)
        while watcher.finished_tasks(zip_id) == 0 and not zip_done.is_set():
            time.sleep(0.05)  # B starts once A's files are being linted
        times: list[float] = []
        n = 0
        while not zip_done.is_set():
            n += 1
            times.append(_one_line(stack, keys["tenant-b"], ONE_LINE.format(tag=tag, n=n)))
        finished = watcher.wait(zip_id)
        return Figures(times, finished.at - started, finished.status)


def _warm_up(stack: Stack, watcher: JobWatcher, keys: dict[str, dict[str, str]], tag: str) -> None:
    small = Corpus.load(FIXTURES).tagged(f"warm-up {tag}")
    watcher.wait(submit_zip(stack, small.zip_bytes(), headers=keys["tenant-a"]), timeout=120)
    _one_line(stack, keys["tenant-b"], ONE_LINE.format(tag=f"warm-up {tag}", n=0))


def fairness(ctx: Context) -> None:
    """Both layouts, each on a fresh stack; the figures and whether B stayed under 2 s."""
    files = ctx.options.get("fairness_files", FILES)
    for i, (label, overlay) in enumerate(LAYOUTS.items()):
        corpus = Corpus.load(FIXTURES).cycled(files, ctx.tag("fair", i))
        spec = ctx.spec(f"fairness-{i}", processors=(overlay,))
        spec = replace(spec, extra_env={**spec.extra_env, **LIMITS, "AUTH_REQUIRED": "true"})
        figures = _run(spec, corpus, ctx.tag("fair", i))
        ctx.report.details.setdefault("fairness", {})[label] = {
            "one_line_s": figures.one_line_s, "zip_s": figures.zip_s, "zip_status": figures.zip_status}
        _rows(ctx, label, files, figures)


def _rows(ctx: Context, label: str, files: int, figures: Figures) -> None:
    values = figures.one_line_s
    sent = f"{len(values)} jobs sent while A's ZIP was linted"
    worst = max(values) if values else None
    ctx.report.add(
        Row("fairness", f"{label}: B's one-line jobs, median POST->COMPLETED",
            median(values) if values else None, "s", note=sent),
        Row("fairness", f"{label}: B's one-line jobs, max", worst, "s", f"< {TARGET_S:g} s",
            worst is not None and worst < TARGET_S),
        Row("fairness", f"{label}: A's {files}-file ZIP, POST->final", figures.zip_s, "s",
            note=f"{figures.zip_status}, {files / figures.zip_s:.0f} files/s"),
    )

