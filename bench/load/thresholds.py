"""Judging a run: Locust's CSV stats read into rows, and the scenario's limits checked against them.

Both are pure functions of their inputs (text in, verdicts out), so the
verdicts are unit-tested on hand-made stats, and the runner only adds I/O.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from bench.load.scenarios import JOB_NAMES, Limits

AGGREGATED = "Aggregated"


@dataclass(frozen=True)
class StatRow:
    """One line of ``<prefix>_stats.csv``; percentiles are None where Locust wrote N/A (no requests)."""

    kind: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float | None
    p95: float | None
    p99: float | None

    @property
    def error_rate(self) -> float:
        """Failed share of the requests (0 when there were none)."""
        return self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Verdict:
    """One checked metric: what was measured, the limit, and whether it holds."""

    metric: str
    measured: float | None
    limit: float
    ok: bool


def _number(text: str) -> float | None:
    return None if text in {"", "N/A"} else float(text)


def parse_stats(text: str) -> dict[str, StatRow]:
    """The rows of a Locust stats CSV by request name (the total under ``Aggregated``)."""
    rows: dict[str, StatRow] = {}
    for line in csv.DictReader(io.StringIO(text)):
        rows[line["Name"]] = StatRow(
            kind=line["Type"], name=line["Name"], requests=int(line["Request Count"]),
            failures=int(line["Failure Count"]), rps=float(line["Requests/s"]),
            p50=_number(line["50%"]), p95=_number(line["95%"]), p99=_number(line["99%"]),
        )
    return rows


def jobs_completed(rows: Mapping[str, StatRow]) -> int:
    """Jobs that reached COMPLETED as expected: the successful ``JOB`` requests."""
    return sum(rows[name].requests - rows[name].failures for name in JOB_NAMES if name in rows)


def http_rps(rows: Mapping[str, StatRow]) -> float:
    """HTTP requests per second over the run: every row but the totals and the end-to-end jobs."""
    return sum(row.rps for name, row in rows.items() if name != AGGREGATED and name not in JOB_NAMES)


def evaluate(rows: Mapping[str, StatRow], limits: Limits) -> list[Verdict]:
    """Every limit checked: per name p95 and error rate (a name with no requests fails), overall, jobs."""
    verdicts: list[Verdict] = []
    for name, p95_limit in limits.p95_ms.items():
        row = rows.get(name)
        if row is None or row.requests == 0 or row.p95 is None:
            verdicts.append(Verdict(f"{name}: requests", 0, 1, False))
            continue
        verdicts.append(Verdict(f"{name}: p95 ms", row.p95, p95_limit, row.p95 <= p95_limit))
        verdicts.append(Verdict(f"{name}: error rate", row.error_rate, limits.max_error_rate,
                                row.error_rate <= limits.max_error_rate))
    total = rows.get(AGGREGATED)
    overall = total.error_rate if total else None
    verdicts.append(Verdict("all requests: error rate", overall, limits.max_error_rate,
                            overall is not None and overall <= limits.max_error_rate))
    done = jobs_completed(rows)
    verdicts.append(Verdict("jobs completed (min)", done, limits.min_jobs, done >= limits.min_jobs))
    return verdicts


def failed(verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts that do not hold."""
    return [verdict for verdict in verdicts if not verdict.ok]
