"""What a run prints and keeps: the stats per request name, the verdicts, and a JSON summary."""

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.load.thresholds import AGGREGATED, StatRow, Verdict, http_rps, jobs_completed


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def stats_table(rows: Mapping[str, StatRow]) -> str:
    """Requests, failures, rate and p50/p95/p99 (ms) per request name, totals last."""
    head = ("name", "type", "reqs", "fails", "req/s", "p50", "p95", "p99")
    lines = [f"{head[0]:<16} {head[1]:<5} " + " ".join(f"{h:>7}" for h in head[2:])]
    ordered = sorted(rows.values(), key=lambda row: (row.name == AGGREGATED, row.kind == "JOB", row.name))
    for row in ordered:
        lines.append(f"{row.name:<16} {row.kind:<5} {row.requests:>7} {row.failures:>7} {row.rps:>7.2f} "
                     f"{_ms(row.p50):>7} {_ms(row.p95):>7} {_ms(row.p99):>7}")
    return "\n".join(lines)


def verdict_table(verdicts: list[Verdict]) -> str:
    """Each metric against its limit, ``FAIL`` where it does not hold."""
    lines = [f"{'metric':<32} {'measured':>10} {'limit':>10}  result"]
    for v in verdicts:
        measured = "-" if v.measured is None else _num(v.measured)
        lines.append(f"{v.metric:<32} {measured:>10} {_num(v.limit):>10}  {'ok' if v.ok else 'FAIL'}")
    return "\n".join(lines)


def summary(scenario: str, run: Mapping[str, Any], rows: Mapping[str, StatRow],
            verdicts: list[Verdict]) -> dict[str, Any]:
    """The figures a capacity table needs, with the verdicts and how the run was made."""
    total = rows.get(AGGREGATED)
    return {
        "scenario": scenario, **run, "stages": [asdict(stage) for stage in run.get("stages", [])],
        "http_requests_per_s": round(http_rps(rows), 2),
        "error_rate": total.error_rate if total else None,
        "jobs_completed": jobs_completed(rows),
        "rows": {name: asdict(row) for name, row in rows.items()},
        "verdicts": [asdict(v) for v in verdicts],
        "passed": all(v.ok for v in verdicts),
    }


def save(path: Path, data: Mapping[str, Any]) -> None:
    """Write the summary next to Locust's reports."""
    path.write_text(json.dumps(data, indent=2) + "\n")
