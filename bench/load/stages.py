"""Figures per stage of a multi-stage run (spike, ramp), from Locust's full stats history.

A run's totals hide its shape: a spike's peak and a ramp's knee show only
stage by stage, as jobs completed per second and the job time at each stage's
end (Locust's "current" percentiles cover the last 10 s). Pure, like the
thresholds: CSV text in, figures out.
"""

import csv
import io
from dataclasses import dataclass

from bench.load.scenarios import JOB_NAMES, JOB_SQL, Scenario


@dataclass(frozen=True)
class StageFigures:
    """One stage: its users, its span in the run, jobs completed per second, job p95 at its end (ms)."""

    users: int
    start_s: float
    end_s: float
    jobs_per_s: float
    job_p95_ms: float | None


def _completed(row: dict[str, str]) -> int:
    return int(row["Total Request Count"]) - int(row["Total Failure Count"])


def stage_figures(history: str, scenario: Scenario, run_time: float) -> list[StageFigures]:
    """Each stage's figures; the run's clock starts at the history's first line."""
    lines = list(csv.DictReader(io.StringIO(history)))
    if not lines:
        return []
    t0 = int(lines[0]["Timestamp"])
    jobs = [(int(row["Timestamp"]) - t0, row) for row in lines if row["Name"] in JOB_NAMES]

    def done_by(second: float) -> int:
        latest: dict[str, int] = {}
        for at, row in jobs:
            if at <= second:
                latest[row["Name"]] = _completed(row)
        return sum(latest.values())

    figures: list[StageFigures] = []
    start = 0.0
    for stage in scenario.stages:
        end = stage.until * run_time
        p95 = [row["95%"] for at, row in jobs if row["Name"] == JOB_SQL and start < at <= end]
        figures.append(StageFigures(
            stage.users, start, end, round((done_by(end) - done_by(start)) / (end - start), 2),
            float(p95[-1]) if p95 and p95[-1] != "N/A" else None,
        ))
        start = end
    return figures


def stages_table(figures: list[StageFigures]) -> str:
    """Users, span, jobs/s and job p95 per stage."""
    lines = [f"{'users':>5} {'from s':>7} {'to s':>6} {'jobs/s':>7} {'job p95 ms':>11}"]
    for f in figures:
        p95 = "-" if f.job_p95_ms is None else f"{f.job_p95_ms:,.0f}"
        lines.append(f"{f.users:>5} {f.start_s:>7.0f} {f.end_s:>6.0f} {f.jobs_per_s:>7.2f} {p95:>11}")
    return "\n".join(lines)
