"""Scenarios ``throughput`` (first submission) and ``resubmit`` (same ZIP again, then 5 % changed).

The CLI and the service take turns (CLI first on even repeats, service first
on odd ones) so slow drift of the machine hits both; figures are medians.
Each repeat lints freshly tagged files, so no result cache can answer a
"first" submission.
"""

import psutil

from bench.baseline import CliRun, run_cli
from bench.common import Context, JobRun, time_zip_job, warm_up, watched
from bench.corpus import Corpus
from bench.report import Row, median
from bench.watch import JobWatcher
from harness.stack import Stack

CHANGED_FRACTION = 0.05
# Where the service's CPU goes, per file: robust to a busy machine, where wall times are not.
CPU_PARTS = ("processors main process", "lint processes", "sink", "ingest", "brokers", "database")
# The shared servers on this machine, by what their command line names: on two cores their CPU is
# the pipeline's too (a remote broker or database counts 0 here).
SERVERS = {"brokers": "kafka.Kafka", "database": "mariadbd"}


def _servers() -> dict[str, float]:
    """CPU seconds so far of every local Kafka broker and MariaDB server."""
    used = dict.fromkeys(SERVERS, 0.0)
    for proc in psutil.process_iter(["cmdline", "cpu_times"]):
        line = " ".join(proc.info["cmdline"] or ())
        times = proc.info["cpu_times"]
        for part, marker in SERVERS.items():
            if marker in line and times is not None:
                used[part] += times.user + times.system
    return used


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each part of the stack.

    A lint process's CPU counts once it is reaped too (pebble joins a recycled one).
    """
    used = dict.fromkeys(CPU_PARTS, 0.0)
    for name, pid in stack.pids().items():
        try:
            proc = psutil.Process(pid)
            own = proc.cpu_times()
            kids = [c.cpu_times() for c in proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        kid_s = sum(k.user + k.system for k in kids) + own.children_user + own.children_system
        part = "processors main process" if name.startswith("processors") else name
        used[part] = used.get(part, 0.0) + own.user + own.system
        used["lint processes" if name.startswith("processors") else part] += kid_s
    return used | _servers()


def cli_run(ctx: Context, corpus: Corpus, name: str) -> CliRun:
    """``sqlfluff lint`` over ``corpus`` written afresh: a CLI that skipped a file would not be comparable."""
    run = run_cli(corpus.write(ctx.workdir / "cli" / name), ctx.dialect, ctx.cores)
    if run.files != len(corpus):
        raise RuntimeError(f"sqlfluff lint reported {run.files} files, expected {len(corpus)}")
    return run


def throughput(ctx: Context) -> None:
    """Corpus ZIP -> all results in the DB, against ``sqlfluff lint --processes <cores>``."""
    cli: list[float] = []
    svc: list[float] = []
    cpu: dict[str, list[float]] = {part: [] for part in CPU_PARTS}
    with watched(ctx.spec("throughput"), interval=0.02) as (stack, watcher):
        warm_up(stack, watcher, ctx.corpus, ctx.dialect, ctx.tag("tp"))
        for r in range(ctx.repeats):
            variant = ctx.corpus.tagged(ctx.tag("tp", r))
            order = (_svc_turn, _cli_turn) if r % 2 else (_cli_turn, _svc_turn)
            for turn in order:
                before = cpu_seconds(stack)
                turn(ctx, stack, watcher, variant, f"tp-{r}", cli, svc)
                if turn is _svc_turn:
                    after = cpu_seconds(stack)
                    for part in CPU_PARTS:
                        cpu[part].append(1000 * (after[part] - before[part]) / len(variant))
    files, lines = len(ctx.corpus), ctx.corpus.tagged("x").lines  # as linted: one tag line more per file
    c, s = median(cli), median(svc)
    note = f"{files} files, {lines} lines, median of {ctx.repeats}"
    ctx.report.details["throughput"] = {"cli_s": cli, "service_s": svc, "files": files, "lines": lines,
                                        "cpu_ms_per_file": cpu}
    ctx.report.add(
        Row("throughput", f"sqlfluff lint --processes {ctx.cores}: wall time", c, "s", note=note),
        Row("throughput", "service ZIP -> all results in DB: wall time", s, "s", note=note),
        Row("throughput", "sqlfluff lint: files/s", files / c, "files/s", note=f"{lines / c:,.0f} lines/s"),
        Row("throughput", "service: files/s", files / s, "files/s", note=f"{lines / s:,.0f} lines/s"),
        Row("throughput", "first submission: CLI time / service time", c / s, "x", ">= 1.3x", c / s >= 1.3),
        *(Row("throughput", f"CPU per file: {part}", median(cpu[part]), "ms", note=f"median of {ctx.repeats}")
          for part in CPU_PARTS),
    )


def _cli_turn(ctx: Context, _stack: Stack, _w: JobWatcher, corpus: Corpus, name: str,
              cli: list[float], _svc: list[float]) -> None:
    cli.append(cli_run(ctx, corpus, name).seconds)


def _svc_turn(ctx: Context, stack: Stack, watcher: JobWatcher, corpus: Corpus, _name: str,
              _cli_times: list[float], svc: list[float]) -> None:
    svc.append(time_zip_job(stack, watcher, corpus, ctx.dialect).seconds)


def resubmit(ctx: Context) -> None:
    """First, unchanged and 5 %-changed submissions of the same ZIP, each against the CLI on those files."""
    runs: dict[str, list[JobRun]] = {"first": [], "unchanged": [], "changed": []}
    cli: dict[str, list[float]] = {"first": [], "changed": []}
    with watched(ctx.spec("resubmit"), interval=0.02) as (stack, watcher):
        warm_up(stack, watcher, ctx.corpus, ctx.dialect, ctx.tag("rs"))
        for r in range(ctx.repeats):
            base = ctx.corpus.tagged(ctx.tag("rs", r))
            changed = base.changed(CHANGED_FRACTION, ctx.tag("rs", r))
            cli["first"].append(cli_run(ctx, base, f"rs-{r}").seconds)
            runs["first"].append(time_zip_job(stack, watcher, base, ctx.dialect))
            runs["unchanged"].append(time_zip_job(stack, watcher, base, ctx.dialect))
            runs["changed"].append(time_zip_job(stack, watcher, changed, ctx.dialect))
            cli["changed"].append(cli_run(ctx, changed, f"rs-{r}-changed").seconds)
    svc = {k: median([run.seconds for run in v]) for k, v in runs.items()}
    c_first, c_changed = median(cli["first"]), median(cli["changed"])
    service_s = {k: [r.seconds for r in v] for k, v in runs.items()}
    ctx.report.details["resubmit"] = {"cli_s": cli, "service_s": service_s}
    n_changed = max(1, round(len(ctx.corpus) * CHANGED_FRACTION))
    ctx.report.add(
        Row("resubmit", "first submission: service time", svc["first"], "s", note=f"CLI {c_first:.2f} s"),
        Row("resubmit", "unchanged resubmission: service time", svc["unchanged"], "s"),
        Row("resubmit", f"5% changed ({n_changed} files): service time", svc["changed"], "s",
            note=f"CLI {c_changed:.2f} s"),
        Row("resubmit", "first: CLI time / service time", c_first / svc["first"], "x", ">= 1.3x",
            c_first / svc["first"] >= 1.3),
        Row("resubmit", "unchanged: CLI time / service time", c_first / svc["unchanged"], "x", ">= 20x",
            c_first / svc["unchanged"] >= 20),
        Row("resubmit", "5% changed: CLI time / service time", c_changed / svc["changed"], "x", ">= 8x",
            c_changed / svc["changed"] >= 8),
    )
