"""The measured figures of one scenario run, and what counts as a failure."""

from dataclasses import dataclass, field

EXACTLY_ONCE = "exactly_once"
HEADER = (
    "| scenario | guarantee | jobs sent | accepted (2xx) | 503 | other | files | completed | lost "
    "| duplicated in DB | status regressions | wrong results | results read (read_committed) "
    "| distinct (job, task) | repeated | missing | longest stall (s) | drain (s) | total (s) |"
)


@dataclass
class Figures:
    """Counts come from the HTTP answers and the database; times from the run's clock."""

    scenario: str
    guarantee: str = "at_least_once"
    sent: int = 0
    accepted: int = 0
    refused_503: int = 0
    other: int = 0
    files: int = 0
    completed: int = 0
    lost: int = 0
    duplicated: int = 0
    regressions: int = 0
    wrong_results: int = 0
    missing_results: int = 0
    changed_rows: int = 0
    results_read: int = 0
    result_pairs: int = 0
    redelivered: int = 0
    results_missing: int = 0
    resume_s: float | None = None
    drain_s: float | None = None
    total_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that breaks "never lose a job"; empty when the scenario passed."""
        checks = {
            "accepted jobs lost (not final with all their tasks)": self.lost,
            "task rows duplicated": self.duplicated,
            "statuses moved backwards": self.regressions,
            "results differing from SQLFluff's": self.wrong_results,
            "final tasks without a result": self.missing_results,
            "rows changed by replayed or late events": self.changed_rows,
            "answers other than 2xx/503": self.other,
            "final tasks whose result a read_committed consumer never saw": self.results_missing,
        }
        if self.guarantee == EXACTLY_ONCE:  # at least once, a repeat is expected: a figure, not a failure
            checks["results a read_committed consumer saw more than once"] = self.redelivered
        found = [f"{what}: {count}" for what, count in checks.items() if count]
        if self.accepted == 0:
            found.append("no job was accepted at all")
        return found

    def row(self) -> str:
        """One line of the table in docs/reliability.md."""
        def secs(value: float | None) -> str:
            return "-" if value is None else f"{value:.1f}"

        cells = [self.scenario, self.guarantee, self.sent, self.accepted, self.refused_503, self.other,
                 self.files, self.completed, self.lost, self.duplicated, self.regressions, self.wrong_results,
                 self.results_read, self.result_pairs, self.redelivered, self.results_missing,
                 secs(self.resume_s), secs(self.drain_s), secs(self.total_s)]
        return "| " + " | ".join(str(c) for c in cells) + " |"

    def report(self) -> str:
        """The table row plus the scenario's own notes, for an operator's terminal."""
        lines = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|", self.row()]
        lines += [f"- {note}" for note in self.notes]
        problems = self.problems()
        lines.append("PASS" if not problems else "FAIL: " + "; ".join(problems))
        return "\n".join(lines)
