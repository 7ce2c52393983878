"""Scenario ``guarantees``: what the processors' transactions cost, both guarantees in the same run.

Two stacks run side by side, identical but for ``PROCESSORS_PROCESSING_GUARANTEE``;
the CLI and the two take turns (the order rotates every repeat), so the drift
of a shared machine hits all three alike. Per guarantee: the first-submission
ratio against the CLI, and one-line jobs one at a time, sent in alternating
blocks to the two stacks. Only one stack works at a time; the other idles.
"""

from contextlib import ExitStack

from bench.common import Context, time_zip_job, warm_up, watched
from bench.latency import one_job
from bench.report import Row, median, percentile
from bench.throughput import cli_run
from bench.watch import JobWatcher
from harness.stack import Stack

GUARANTEES = ("at_least_once", "exactly_once")
BLOCK = 10  # one-line jobs sent to one stack before the other's turn
SQL = "select a, b from t where x = 1  -- guarantees {tag}\n"
Pair = tuple[Stack, JobWatcher]


def _first_pass(ctx: Context, stacks: dict[str, Pair]) -> dict[str, list[float]]:
    """Seconds per turn: the CLI's and each guarantee's, over freshly tagged copies of the corpus."""
    times: dict[str, list[float]] = {name: [] for name in ("cli", *GUARANTEES)}
    turns = ["cli", *GUARANTEES]
    for r in range(ctx.repeats):
        variant = ctx.corpus.tagged(ctx.tag("g", r))
        for name in turns[r % 3:] + turns[:r % 3]:
            if name == "cli":
                times["cli"].append(cli_run(ctx, variant, f"g-{r}").seconds)
            else:
                stack, watcher = stacks[name]
                times[name].append(time_zip_job(stack, watcher, variant, ctx.dialect).seconds)
    return times


def _one_at_a_time(ctx: Context, stacks: dict[str, Pair], jobs: int) -> dict[str, list[float]]:
    """Milliseconds POST -> COMPLETED per job, ``jobs`` per guarantee, in alternating blocks."""
    trips: dict[str, list[float]] = {name: [] for name in GUARANTEES}
    for block in range(0, jobs, BLOCK):
        for name in GUARANTEES if block // BLOCK % 2 else reversed(GUARANTEES):
            stack, watcher = stacks[name]
            for n in range(block, min(block + BLOCK, jobs)):
                _, trip = one_job(stack, watcher, SQL.format(tag=ctx.tag(name, n)))
                trips[name].append((trip.done - trip.posted) * 1000)
    return trips


def guarantees(ctx: Context) -> None:
    """First-pass ratio and one-at-a-time latency with and without transactions; the loss in per cent."""
    jobs = ctx.options.get("latency_jobs", 200) // 2
    with ExitStack() as stack:
        stacks: dict[str, Pair] = {}
        for name in GUARANTEES:
            spec = ctx.spec(f"guarantees-{name}", processors=({"PROCESSORS_PROCESSING_GUARANTEE": name},))
            stacks[name] = stack.enter_context(watched(spec, interval=0.005))
            warm_up(*stacks[name], ctx.corpus, ctx.dialect, ctx.tag("gw", name))
        times = _first_pass(ctx, stacks)
        trips = _one_at_a_time(ctx, stacks, jobs)
    ctx.report.details["guarantees"] = {"seconds": times, "latency_ms": trips}
    cli = median(times["cli"])
    ratio = {name: cli / median(times[name]) for name in GUARANTEES}
    loss = 100 * (1 - ratio["exactly_once"] / ratio["at_least_once"])
    note = f"{len(ctx.corpus)} files, median of {ctx.repeats}; CLI {cli:.2f} s"
    rows = [Row("guarantees", f"{name}: first submission CLI / service", ratio[name], "x", note=note)
            for name in GUARANTEES]
    rows.append(Row("guarantees", "first-pass ratio lost to transactions", loss, "%", "<= 10 %", loss <= 10))
    for name in GUARANTEES:
        values = trips[name]
        rows += [
            Row("guarantees", f"{name}: one at a time p50", percentile(values, 50), "ms",
                note=f"{len(values)} jobs"),
            Row("guarantees", f"{name}: one at a time p99", percentile(values, 99), "ms"),
        ]
    ctx.report.add(*rows)
