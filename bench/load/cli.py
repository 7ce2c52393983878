"""``python -m bench.load <scenario>``: run one Locust scenario headless, then judge it by its limits.

Exit 0 when every limit holds, 1 when one fails (or Locust wrote no stats),
2 on a usage error. Against ``--host`` (a ``make run`` stack by default), or
``--stack`` for a private stack started here the way ``make bench`` starts one.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.load import report
from bench.load.runner import Reports, finish, locust_command, start_locust
from bench.load.scenarios import SCENARIOS
from bench.load.stages import stage_figures, stages_table
from bench.load.target import private_stack, reachable
from bench.load.thresholds import evaluate, failed, parse_stats
from bench.load.usage import Sampler, shared_servers

DEFAULT_HOST = "http://127.0.0.1:8080"


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line; the scenario's own duration unless ``--run-time`` says otherwise."""
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("--host", default=DEFAULT_HOST, help=f"the ingest's base URL (default {DEFAULT_HOST})")
    p.add_argument("--stack", action="store_true", help="start a private stack for this run instead")
    p.add_argument("--run-time", type=int, help="seconds of load (default: the scenario's)")
    p.add_argument("--stop-timeout", type=int, default=30, help="seconds users get to finish their job")
    p.add_argument("--out", type=Path, default=Path("var/load"), help="reports go to OUT/<scenario>/")
    p.add_argument("--db", choices=("mariadb", "sqlite"), default="mariadb", help="database of --stack")
    p.add_argument("--kafka", default=None, help="bootstrap servers for --stack (default: the local broker)")
    return p.parse_args(argv)


@contextmanager
def target(args: argparse.Namespace, workdir: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """The URL to load and the processes to watch: a private stack's, or the given host's (none)."""
    if args.stack:
        with private_stack(args.kafka, args.db, workdir) as (url, pids):
            yield url, pids
    else:
        reachable(args.host)
        yield args.host, {}


def run(args: argparse.Namespace, reports: Reports) -> dict[str, Any]:
    """Locust against the target while CPU is sampled; how the run went (not yet judged)."""
    scenario = SCENARIOS[args.scenario]
    run_time = args.run_time or scenario.run_time_s
    workdir_cm = tempfile.TemporaryDirectory(prefix="sqllint-load-")
    with workdir_cm as workdir, target(args, Path(workdir)) as (url, pids):
        command = locust_command(scenario, url, run_time, reports, args.stop_timeout)
        print(f"load: {scenario.name} ({scenario.description}), {run_time} s, up to {scenario.peak_users} "
              f"users, against {url}", file=sys.stderr)
        started, load_before = time.monotonic(), os.getloadavg()[0]
        locust = start_locust(command)
        sampler = Sampler({"locust": locust.pid, **pids, **shared_servers()})
        sampler.start()
        try:
            code = finish(locust, run_time + args.stop_timeout + 60)
        finally:
            cpu = sampler.stop()
    return {"host": url, "private_stack": args.stack, "run_time_s": run_time,
            "peak_users": scenario.peak_users, "wall_s": round(time.monotonic() - started, 1),
            "locust_exit": code, "cpu_percent": cpu, "load_average_1min": (load_before, os.getloadavg()[0])}


def main(argv: list[str] | None = None) -> int:
    """Run, judge, print the tables, keep the summary; 1 when a limit fails."""
    args = parse(argv)
    reports = Reports(args.out / args.scenario, args.scenario)
    reports.folder.mkdir(parents=True, exist_ok=True)
    facts = run(args, reports)
    if facts["locust_exit"] != 0 or not reports.stats.exists():
        print(f"load: locust exited {facts['locust_exit']}; see {reports.log}", file=sys.stderr)
        return 1
    scenario = SCENARIOS[args.scenario]
    rows = parse_stats(reports.stats.read_text())
    verdicts = evaluate(rows, scenario.limits)
    stages = stage_figures(reports.history.read_text(), scenario, facts["run_time_s"])
    report.save(reports.summary, report.summary(args.scenario, {**facts, "stages": stages}, rows, verdicts))
    print(report.stats_table(rows), report.verdict_table(verdicts), sep="\n\n")
    if len(stages) > 1:
        print("\nper stage (job p95: single SQL, last 10 s of the stage)", stages_table(stages), sep="\n")
    cpu = ", ".join(f"{k} {v['mean']:.0f}/{v['peak']:.0f}" for k, v in facts["cpu_percent"].items())
    print(f"\ncpu % of one core (mean/peak): {cpu}")
    bad = failed(verdicts)
    if bad:
        names = ", ".join(v.metric for v in bad)
        print(f"load: {args.scenario} FAILED: {names} (failure messages: {reports.failures})")
        return 1
    print(f"load: {args.scenario} passed; reports in {reports.folder}")
    return 0
