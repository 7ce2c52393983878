"""What every scenario shares: the run's context and timing one job end to end."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import Corpus
from bench.report import Report
from bench.stack import StackSpec, running, submit_sql, submit_zip
from bench.watch import Finished, JobWatcher
from harness.stack import Stack


@dataclass
class Context:
    """Options of the run, shared by the scenarios."""

    corpus: Corpus
    corpus_dir: Path
    dialect: str
    workdir: Path
    kafka: str
    db_kind: str
    partitions: int
    repeats: int
    uid: str
    report: Report = field(default_factory=Report)
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    options: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def spec(self, name: str, processors: tuple[dict[str, str], ...] = ({},),
             pipeline: bool = True) -> StackSpec:
        """A stack in its own sub-folder of the work folder, with the run's settings."""
        return StackSpec(self.kafka, self.db_kind, self.workdir / name, self.partitions, processors, pipeline,
                         self.env)

    def tag(self, *parts: object) -> str:
        """Text unique to this run and these parts, appended to files to make them new content."""
        return " ".join(map(str, (self.uid, *parts)))


@dataclass(frozen=True)
class JobRun:
    """One job from the first byte of the POST to its final row in the database."""

    seconds: float
    finished: Finished


@contextmanager
def watched(spec: StackSpec, interval: float = 0.005) -> Iterator[tuple[Stack, JobWatcher]]:
    """A running stack and a watcher on its database."""
    with running(spec) as stack:
        watcher = JobWatcher(stack.settings.database_url, interval)
        try:
            yield stack, watcher
        finally:
            watcher.close()


def time_zip_job(stack: Stack, watcher: JobWatcher, corpus: Corpus, dialect: str) -> JobRun:
    """Submit ``corpus`` as one ZIP upload and wait until every result is in the database."""
    payload = corpus.zip_bytes()
    started = time.perf_counter()
    job_id = submit_zip(stack, payload, dialect)
    finished = watcher.wait(job_id)
    run = JobRun(finished.at - started, finished)
    done = finished.succeeded + finished.failed
    if finished.task_count != len(corpus) or done != len(corpus):
        raise RuntimeError(f"job {job_id} linted {done}/{finished.task_count} of {len(corpus)} files")
    return run


def warm_up(stack: Stack, watcher: JobWatcher, corpus: Corpus, dialect: str, tag: str) -> None:
    """One small ZIP and one text through every stage, so no measured job pays first-use costs."""
    small = Corpus(dict(list(corpus.tagged(f"warm-up {tag}").files.items())[:8]))
    time_zip_job(stack, watcher, small, dialect)
    watcher.wait(submit_sql(stack, f"SELECT 1 -- warm-up {tag}\n", dialect))
