"""``python -m bench [scenario ...] [--corpus DIR] [--json out.json]``: run scenarios, print the table."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.common import Context
from bench.corpus import DEFAULT_CORPUS, FIXTURES, Corpus
from bench.fairness import fairness
from bench.guarantees import guarantees
from bench.ingest_load import ingest
from bench.latency import latency
from bench.memory import memory
from bench.profiling import profile
from bench.recovery import recovery
from bench.report import Row
from bench.scaling import scaling
from bench.throughput import resubmit, throughput
from harness import resources, servers

SCENARIOS: dict[str, Callable[[Context], None]] = {
    "throughput": throughput,
    "resubmit": resubmit,
    "latency": latency,
    "ingest": ingest,
    "memory": memory,
    "scaling": scaling,
    "profile": profile,
    "fairness": fairness,
    "recovery": recovery,
    "guarantees": guarantees,
}
DEFAULT = ("throughput", "resubmit", "latency", "ingest", "memory", "scaling", "guarantees")


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line; every knob has a default that keeps a full run to a few minutes per scenario."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], metavar="scenario",
                   help=f"any of {', '.join(SCENARIOS)}; default: {' '.join(DEFAULT)}")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .sql files")
    p.add_argument("--dialect", default=None, help="default: the corpus folder's name if it is a dialect")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--repeats", type=int, default=3, help="alternating CLI/service runs (median)")
    p.add_argument("--db", choices=("mariadb", "sqlite"), default="mariadb")
    p.add_argument("--kafka", default=None, help="bootstrap servers; default: the repo's local broker")
    p.add_argument("--partitions", type=int, default=8, help="partitions of the tasks topic")
    p.add_argument("--latency-jobs", type=int, default=200)
    p.add_argument("--memory-files", type=int, default=2000)
    p.add_argument("--fairness-files", type=int, default=2000, help="files in tenant A's ZIP")
    p.add_argument("--recovery-files", type=int, default=0,
                   help="files of the recovery scenario's runs, cycled from the corpus; default: the corpus")
    p.add_argument("--ingest-seconds", type=int, default=8, help="duration of each wrk run")
    p.add_argument("--profile-dir", type=Path, default=Path("var/bench/profile"))
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra setting for every service (e.g. SINK_BATCH_WINDOW_SECONDS=0.05); repeatable")
    p.add_argument("--keep", action="store_true", help="keep the work folder (logs, CLI trees)")
    return p.parse_args(argv)


def _head() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          cwd=Path(__file__).parent, check=False)
    return proc.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios in order; a failing scenario is reported and the others still run."""
    args = parse(argv)
    names = args.scenarios or list(DEFAULT)
    workdir = Path(tempfile.mkdtemp(prefix="sqllint-bench-"))
    if not args.corpus.is_dir() and args.corpus == DEFAULT_CORPUS:  # a clone without the shared corpus
        print(f"bench: no {args.corpus}; using the repository's fixtures {FIXTURES}", file=sys.stderr)
        args.corpus = FIXTURES
    corpus = Corpus.load(args.corpus)
    named = args.corpus.name if args.corpus.name in {"ansi", "mysql", "postgres"} else "ansi"
    dialect = args.dialect or named
    ctx = Context(corpus, args.corpus, dialect, workdir, servers.kafka_bootstrap(args.kafka), args.db,
                  args.partitions, args.repeats, resources.short_id())
    ctx.env = dict(item.split("=", 1) for item in args.env)
    ctx.options = {"latency_jobs": args.latency_jobs, "memory_files": args.memory_files,
                   "fairness_files": args.fairness_files,
                   "ingest_seconds": args.ingest_seconds, "recovery_files": args.recovery_files}
    ctx.report.details["profile_dir"] = str(args.profile_dir.resolve())
    ctx.report.details["run"] = {"corpus": str(args.corpus), "files": len(corpus), "lines": corpus.lines,
                                 "bytes": corpus.size, "dialect": dialect, "cores": ctx.cores,
                                 "db": args.db, "partitions": args.partitions, "workdir": str(workdir),
                                 "env": ctx.env, "commit": _head()}
    print(f"bench: {len(corpus)} files ({corpus.lines} lines) from {args.corpus}, dialect {dialect}, "
          f"{ctx.cores} cores, db {args.db}, work folder {workdir}", file=sys.stderr)
    failed = False
    for name in names:
        started = time.monotonic()
        print(f"bench: {name} ...", file=sys.stderr)
        load_before = os.getloadavg()[0]
        try:
            SCENARIOS[name](ctx)
        except Exception as exc:  # one broken scenario must not lose the others' figures
            failed = True
            traceback.print_exc()
            ctx.report.add(Row(name, "scenario failed", None, note=f"{type(exc).__name__}: {exc}"[:120]))
        ctx.report.details.setdefault("scenario_seconds", {})[name] = round(time.monotonic() - started, 1)
        load = (load_before, os.getloadavg()[0])
        ctx.report.details.setdefault("load_average_1min", {})[name] = load
        if max(load) > ctx.cores:
            ctx.report.add(Row(name, "machine load (1-min avg, before/after)", max(load),
                               note=f"{load[0]:.1f} / {load[1]:.1f} on {ctx.cores} cores: other load"))
        print(f"bench: {name} took {time.monotonic() - started:.0f} s", file=sys.stderr)
    ctx.report.print()
    if args.json:
        ctx.report.save(args.json)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0
