"""Scenario ``ingest``: accepted single-SQL jobs/s of one ingest process, measured with wrk.

Only the ingest runs (with Kafka and the database): every 202 means the job was
acknowledged by Kafka (acks=all) and its first row written, which is the whole
ingest path; processors and sink would only compete for the same two cores.

1. Closed-loop sweep: wrk with 1, 4, 16 and 64 connections, flat out; the max
   is the best rate of a run with zero errors (socket errors or non-2xx).
2. Paced runs at 50 % and 80 % of that max and at 500 jobs/s: wrk has no fixed
   rate (wrk2 is not in Debian), so each of 32 connections waits a think time
   between requests, calibrated by a short run; the achieved rate is reported
   beside the latency. Latency is wrk's, from send to response.

Each run also reports the ingest's CPU time per response (user + system,
its threads included, psutil): on a machine shared with other work the rate
follows the neighbours, while the CPU a job costs the ingest barely does, so
that is the figure to compare before and after a change.

With ``--env AUTH_REQUIRED=true`` the requests carry a submitter's API key
(made in the run's database), so the authenticated path is the one measured.
"""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psutil
import sqlalchemy as sa

from bench.common import Context
from bench.report import Row
from bench.stack import running
from bench.tools import ensure_wrk
from harness.stack import Stack
from runtime.access import Role
from runtime.api_keys import create_key
from runtime.db import create_db_engine
from runtime.tables import jobs

LUA = Path(__file__).with_name("wrk_post.lua")
SWEEP = (1, 4, 16, 64)
PACED_CONNECTIONS = 32


@dataclass(frozen=True)
class WrkRun:
    """One wrk run: achieved rate, errors and latency percentiles (wrk's, send to response)."""

    connections: int
    think_ms: float
    rate: float
    errors: int
    p50_ms: float
    p99_ms: float
    requests: int
    cpu_ms: float = 0.0  # the ingest's CPU per response


def _cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def api_key(stack: Stack) -> str:
    """A submitter's key when the stack requires keys, else nothing (the default tenant)."""
    if stack.env.get("AUTH_REQUIRED", "false").lower() not in {"true", "1", "yes", "on"}:
        return ""
    engine = create_db_engine(stack.settings.database_url)
    with engine.begin() as conn:
        key = create_key(conn, "bench", Role.SUBMITTER, name="bench ingest")[1]
    engine.dispose()
    return key


def _wrk(
    wrk: str, stack: Stack, connections: int, seconds: float, think_ms: float = 0, key: str = ""
) -> WrkRun:
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(LUA),
           f"{stack.base_url}/api/v1/jobs", "--", f"{think_ms:.3f}", key]
    pid = stack.pids()["ingest"]
    cpu = _cpu_s(pid)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = _cpu_s(pid) - cpu
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH "))
    d = json.loads(line.removeprefix("BENCH "))
    errors = sum(d[k] for k in ("connect", "read", "write", "status", "timeout"))
    return WrkRun(connections, think_ms, d["requests"] / (d["duration_us"] / 1e6), errors,
                  d["p50_us"] / 1000, d["p99_us"] / 1000, d["requests"], 1000 * cpu / max(d["requests"], 1))


def _paced(wrk: str, stack: Stack, target: float, seconds: float, key: str) -> tuple[WrkRun, WrkRun]:
    """Think time so that ``PACED_CONNECTIONS`` / (latency + think) is ``target`` requests/s."""
    c = PACED_CONNECTIONS
    think = c / target * 1000
    probe = _wrk(wrk, stack, c, 3, think, key)
    service_ms = c / probe.rate * 1000 - think  # what each round trip really costs on top of the think time
    return probe, _wrk(wrk, stack, c, seconds, max(0.0, c / target * 1000 - service_ms), key)


def ingest(ctx: Context) -> None:
    """Sweep for the max, then paced runs; see the module docstring."""
    wrk = ensure_wrk()
    seconds = ctx.options.get("ingest_seconds", 8)
    with running(ctx.spec("ingest", pipeline=False)) as stack:
        key = api_key(stack)
        warm = _wrk(wrk, stack, 4, 2, key=key)  # warm-up: connections, DB pool, producer
        sweep = [_wrk(wrk, stack, c, seconds, key=key) for c in SWEEP]
        clean = [r for r in sweep if r.errors == 0]
        best = max(clean or sweep, key=lambda r: r.rate)
        pairs = {label: _paced(wrk, stack, rate, seconds, key)
                 for label, rate in (("50% of max", best.rate * 0.5), ("80% of max", best.rate * 0.8),
                                     ("500 jobs/s", 500.0))}
        paced = {label: run for label, (_, run) in pairs.items()}
        engine = create_db_engine(stack.settings.database_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one()
        engine.dispose()
    runs = [warm, *sweep, *(r for pair in pairs.values() for r in pair)]
    ctx.report.details["ingest"] = {"sweep": [r.__dict__ for r in sweep],
                                    "paced": {k: r.__dict__ for k, r in paced.items()},
                                    "jobs_rows": rows, "requests": sum(r.requests for r in runs)}
    for r in sweep:
        ctx.report.add(Row("ingest", f"closed loop, {r.connections} connections: rate", r.rate, "jobs/s",
                           note=f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, errors {r.errors}, "
                                f"ingest CPU {r.cpu_ms:.2f} ms/job"))
    ctx.report.add(Row("ingest", "max accepted rate (zero errors)", best.rate, "jobs/s", ">= 1,000/s",
                       best.rate >= 1000 and best.errors == 0, f"at {best.connections} connections"))
    for label, r in paced.items():
        note = f"achieved {r.rate:.0f} jobs/s, p50 {r.p50_ms:.1f} ms, errors {r.errors}"
        target, met = ("<= 50 ms", r.p99_ms <= 50 and r.rate >= 475) if label == "500 jobs/s" else ("", None)
        ctx.report.add(Row("ingest", f"paced at {label}: p99", r.p99_ms, "ms", target, met, note))
    errors = sum(r.errors for r in runs)
    ctx.report.add(Row("ingest", "errors over all runs", errors, "", "0", errors == 0,
                       f"{sum(r.requests for r in runs)} responses, {rows} job rows in the DB"))
