"""What every scenario shares: a database, the load, the final audit into :class:`Figures`."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from faults.figures import Figures
from faults.kafka_probe import wait_caught_up
from faults.load import Ledger, expected_results, write_zips
from faults.observe import Sampler, audit, wait_all_final
from faults.services import FaultRun
from harness.results_topic import results_per_pair
from runtime.db import create_db_engine
from schemas.events import DEFAULT_TENANT

ARCHIVES, FILES = 5, 100  # the 500-file load
DRAIN_TIMEOUT_S = 180


def sink_topics(run: FaultRun) -> list[str]:
    """The topics the sink consumes."""
    t = run.topics
    return [t.jobs, t.tasks, t.progress, t.lint_results]


@dataclass(frozen=True)
class FaultEnv:
    """Where a scenario runs: the cluster, a MariaDB server it may create databases on, a folder."""

    bootstrap: str
    server_url: str
    workdir: Path


@dataclass
class Observed:
    """The handles of one run: answers, the table watcher, the start time."""

    run: FaultRun
    ledger: Ledger
    sampler: Sampler
    started: float
    notes: list[str] = field(default_factory=list)

    @classmethod
    @contextmanager
    def watch(cls, run: FaultRun) -> Iterator["Observed"]:
        """Observe ``run`` for the length of a ``with`` block, the sampler running throughout."""
        engine = create_db_engine(run.db_url)
        sampler = Sampler(engine)
        sampler.start()
        try:
            yield cls(run, Ledger(), sampler, time.monotonic())
        finally:
            sampler.stop()
            engine.dispose()

    def post_zips(self, archives: int = ARCHIVES, files: int = FILES) -> None:
        """Write and submit the ZIP load (by storage path, as a CI job would)."""
        area = self.run.storage / "imports" / DEFAULT_TENANT  # zip_file_path is relative to it
        for path in write_zips(area, archives, files):
            answer = self.ledger.submit(self.run.stack.base_url, {"zip_file_path": path}, files)
            if answer.job_id is None:
                raise AssertionError(f"the load itself was refused: {answer}")

    def finish(self, name: str, fault_end: float) -> Figures:
        """Wait for every accepted job, then audit the database and the results topic."""
        accepted = self.ledger.accepted()
        statuses = self.ledger.statuses()
        engine = self.sampler.engine
        wait_all_final(engine, list(accepted), DRAIN_TIMEOUT_S)
        drained_at = time.monotonic()
        try:  # a job is final before the sink has read every task.created: audit the settled rows
            wait_caught_up(self.run.bootstrap, self.run.sink_group, sink_topics(self.run), timeout=60)
        except AssertionError as exc:
            self.notes.append(str(exc))
        found = audit(engine, accepted, expected_results())
        copies = results_per_pair(self.run.bootstrap, self.run.topics.lint_results)
        fig = Figures(
            scenario=name,
            guarantee=self.run.guarantee,
            sent=sum(statuses.values()),
            accepted=len(accepted),
            refused_503=statuses.get(503, 0),
            other=sum(n for s, n in statuses.items() if not (200 <= s < 300 or s == 503)),
            files=sum(accepted.values()),
            completed=found.completed,
            lost=len(found.lost),
            duplicated=found.duplicated,
            regressions=len(self.sampler.regressions),
            wrong_results=found.wrong_results,
            missing_results=found.missing_results,
            results_read=sum(copies.values()),
            result_pairs=len(copies),
            redelivered=sum(n - 1 for n in copies.values()),
            results_missing=len(found.final_pairs - set(copies)),
            resume_s=self.sampler.longest_stall(self.started),
            drain_s=max(0.0, drained_at - fault_end),
            total_s=time.monotonic() - self.started,
        )
        fig.notes.extend(self.notes)
        fig.notes.append(f"{self.sampler.samples} samples of the tables; regressions: "
                         f"{self.sampler.regressions[:3]}")
        if found.unasked_jobs:
            fig.notes.append(f"{found.unasked_jobs} job(s) in the DB without a 2xx: a 503 whose event landed")
        if found.lost:
            fig.notes.append(f"lost jobs (first 5): {found.lost[:5]}")
        return fig
