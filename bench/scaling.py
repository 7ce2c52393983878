"""Scenario ``scaling``: corpus throughput with 1 worker x 1 lint process, 1 x 2 and 2 x 1.

Each layout gets its own stack (same topics layout, same partition count); the
2-worker layout is measured only once both workers hold tasks partitions. The
CLI with 1 and 2 processes is measured alongside as the yardstick of what two
cores give SQLFluff itself.
"""

from bench.baseline import run_cli
from bench.common import Context, time_zip_job, warm_up, watched
from bench.report import Row, median
from bench.throughput import CPU_PARTS, cpu_seconds

LAYOUTS: dict[str, tuple[dict[str, str], ...]] = {
    "1 worker x 1 lint process": ({"PROCESSORS_LINT_WORKERS": "1"},),
    "1 worker x 2 lint processes": ({"PROCESSORS_LINT_WORKERS": "2"},),
    "2 workers x 1 lint process": ({"PROCESSORS_LINT_WORKERS": "1"}, {"PROCESSORS_LINT_WORKERS": "1"}),
}


def scaling(ctx: Context) -> None:
    """Each layout on its own stack, then the CLI with 1 and 2 processes."""
    files = len(ctx.corpus)
    rates: dict[str, float] = {}
    cpu: dict[str, str] = {}
    for i, (label, processors) in enumerate(LAYOUTS.items()):
        with watched(ctx.spec(f"scaling-{i}", processors), interval=0.02) as (stack, watcher):
            warm_up(stack, watcher, ctx.corpus, ctx.dialect, ctx.tag("sc", i))
            before = cpu_seconds(stack)
            times = [time_zip_job(stack, watcher, ctx.corpus.tagged(ctx.tag("sc", i, r)), ctx.dialect).seconds
                     for r in range(ctx.repeats)]
            after = cpu_seconds(stack)
        rates[label] = files / median(times)
        # Where a layout's CPU went, per file: what a second worker's own loop and clients cost.
        per_file = {p: 1000 * (after[p] - before[p]) / (files * ctx.repeats) for p in CPU_PARTS}
        cpu[label] = ", ".join(f"{p.split()[0]} {ms:.1f}" for p, ms in per_file.items())
        ctx.report.details.setdefault("scaling", {})[label] = times
        ctx.report.details.setdefault("scaling_cpu_ms_per_file", {})[label] = per_file
    base = rates["1 worker x 1 lint process"]
    for label, rate in rates.items():
        ctx.report.add(Row("scaling", f"service, {label}", rate, "files/s",
                           note=f"{rate / base:.2f}x of 1x1; CPU ms/file: {cpu[label]}"))
    cli = {}
    for processes in (1, 2):
        variant = ctx.corpus.tagged(ctx.tag("sc-cli", processes))
        folder = variant.write(ctx.workdir / "cli" / f"sc-{processes}")
        cli[processes] = files / median([run_cli(folder, ctx.dialect, processes).seconds
                                         for _ in range(ctx.repeats)])
    for processes, rate in cli.items():
        ctx.report.add(Row("scaling", f"sqlfluff lint --processes {processes}", rate, "files/s",
                           note=f"{rate / cli[1]:.2f}x of 1 process"))
