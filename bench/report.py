"""Figures, their targets and how they are printed (rich table or plain text) and saved."""

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:  # rich is optional: plain text otherwise
    from rich.console import Console
    from rich.table import Table
except ImportError:
    Console = Table = None


@dataclass
class Row:
    """One measured figure; ``target`` is the issue's goal when it has one."""

    scenario: str
    metric: str
    value: float | None
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    def shown(self) -> str:
        """Three significant figures, thousands separated."""
        if self.value is None:
            return "n/a"
        if abs(self.value) >= 100:
            return f"{self.value:,.0f}"
        return f"{self.value:.3g}" if abs(self.value) < 10 else f"{self.value:.1f}"


@dataclass
class Report:
    """Everything a run measured, plus free-form details for the JSON file."""

    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, *rows: Row) -> None:
        """Append figures in the order they should be printed."""
        self.rows.extend(rows)

    def save(self, path: Path) -> None:
        """Rows and raw details (every sample) as JSON, for later comparison."""
        payload = {"rows": [asdict(r) for r in self.rows], "details": self.details}
        path.parent.mkdir(parents=True, exist_ok=True)  # var/bench/ may not exist yet
        path.write_text(json.dumps(payload, indent=2, default=str))

    def print(self) -> None:
        """A rich table when rich is installed, plain columns otherwise."""
        if Console is None or Table is None:
            print(self.plain())
            return
        table = Table(title="sqllint benchmark")
        for name in ("scenario", "metric", "value", "unit", "target", "met", "note"):
            table.add_column(name, justify="right" if name == "value" else "left")
        for r in self.rows:
            table.add_row(r.scenario, r.metric, r.shown(), r.unit, r.target, _verdict(r.met), r.note)
        Console(width=200).print(table)

    def plain(self) -> str:
        """Fixed-width text, for logs and terminals without rich."""
        lines = [f"{'scenario':<11} {'metric':<44} {'value':>10} {'unit':<8} {'target':<12} met  note"]
        for r in self.rows:
            lines.append(
                f"{r.scenario:<11} {r.metric:<44} {r.shown():>10} {r.unit:<8} {r.target:<12} "
                f"{_verdict(r.met):<4} {r.note}"
            )
        return "\n".join(lines)


def _verdict(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the value below which ``pct`` % of the samples fall."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """NaN for no values, rather than an exception that would lose the other figures."""
    return statistics.median(values) if values else math.nan
