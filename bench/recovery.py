"""Scenario ``recovery``: the corpus while the processors worker is killed three times, and a cold restart.

Two targets of issue 14. First, the corpus as one ZIP, fault-free and with the
processors worker and its lint pool SIGKILLed at 20, 50 and 80 % of its files
and started again at once (the harness's kill and restart, as the kill-worker
fault does), alternately: the ratio of the medians, and what was lost or
duplicated, in the database (per file) and for a read-committed consumer of the
lint-results topic (per job and task). Second, after an unclean stop of every
service: seconds from starting them again until a job sent as soon as the
ingest answers ready is final, and until the harness (``make run``) says ready.
``--recovery-files N`` cycles the corpus to N files: a restart costs about the
same seconds whatever the run, so the ratio says more on a run of realistic length.
The guarantee is the environment's: ``PROCESSORS_PROCESSING_GUARANTEE`` in the
shell or ``--env``; ``--env PROCESSORS_GROUP_INSTANCE_ID=`` measures dynamic membership.
"""

import time
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from bench.common import Context, time_zip_job, warm_up, watched
from bench.corpus import Corpus
from bench.report import Row, median
from bench.stack import submit_sql, submit_zip
from bench.watch import JobWatcher
from harness.readiness import wait_http, wait_ready
from harness.results_topic import results_per_pair
from harness.stack import Stack
from runtime.tables import tasks

KILL_AT = (0.2, 0.5, 0.8)
JOB_TIMEOUT_S = 600.0
ONE_LINE = "select a from t\n"


@dataclass(frozen=True)
class Tally:
    """Files of one job without a final result, and results beyond one per file."""

    lost: int
    duplicated: int


def tally(expected: int, copies: Counter[str]) -> Tally:
    """``copies``: how often each file (or task) of one job was seen; ``expected``: how many it has."""
    return Tally(max(0, expected - len(copies)), sum(n - 1 for n in copies.values() if n > 1))


def db_copies(stack: Stack, job_id: str) -> Counter[str]:
    """Final task rows of the job per file name (a replayed expansion would add a second row)."""
    query = sa.select(tasks.c.file_name).where(tasks.c.job_id == job_id,
                                               tasks.c.status.in_(("SUCCESS", "FAILURE")))
    engine = sa.create_engine(stack.settings.database_url)
    try:
        with engine.connect() as conn:
            return Counter(row.file_name for row in conn.execute(query))
    finally:
        engine.dispose()


def run_corpus(ctx: Context) -> Corpus:
    """The corpus, or ``--recovery-files`` files cycled from it: a run long enough to amortise restarts."""
    files = ctx.options.get("recovery_files", 0)
    return ctx.corpus.cycled(files, ctx.tag("rc-files")) if files else ctx.corpus


def killed_run(stack: Stack, watcher: JobWatcher, ctx: Context, base: Corpus, tag: str) -> tuple[str, float]:
    """The tagged corpus as one ZIP, the worker killed and restarted at each ``KILL_AT``; (job, seconds)."""
    corpus = base.tagged(tag)
    started = time.perf_counter()
    job_id = submit_zip(stack, corpus.zip_bytes(), ctx.dialect)
    for fraction in KILL_AT:
        while watcher.finished_tasks(job_id) < fraction * len(corpus):
            stack.assert_alive()
            time.sleep(0.05)
        stack.kill("processors")
        stack.restart("processors")
    finished = watcher.wait(job_id, JOB_TIMEOUT_S)
    return job_id, finished.at - started


def cold_restart(stack: Stack, watcher: JobWatcher, ctx: Context, tag: str) -> tuple[float, float]:
    """Kill -9 every service, start them all again: seconds to the first final job, and to ``ready``."""
    names = list(stack.services)
    for name in names:
        stack.kill(name)
    started = time.perf_counter()
    for name in names:
        stack.restart(name)
    wait_http(stack)
    job_id = submit_sql(stack, ONE_LINE + f"-- {ctx.tag(tag)}\n", ctx.dialect)
    wait_ready(stack)
    ready = time.perf_counter() - started
    return watcher.wait(job_id, JOB_TIMEOUT_S).at - started, ready


def recovery(ctx: Context) -> None:
    """Fault-free and killed runs alternately, then cold restarts; every job audited at the end."""
    base = run_corpus(ctx)
    files = len(base)
    clean: list[float] = []
    killed: list[float] = []
    killed_jobs: list[str] = []
    restarts: list[tuple[float, float]] = []
    with watched(ctx.spec("recovery"), interval=0.02) as (stack, watcher):
        warm_up(stack, watcher, ctx.corpus, ctx.dialect, ctx.tag("rc"))
        for r in range(ctx.repeats):
            clean_run = time_zip_job(stack, watcher, base.tagged(ctx.tag("rc-clean", r)), ctx.dialect)
            clean.append(clean_run.seconds)
            job_id, seconds = killed_run(stack, watcher, ctx, base, ctx.tag("rc-kill", r))
            killed.append(seconds)
            killed_jobs.append(job_id)
        for r in range(ctx.repeats):
            restarts.append(cold_restart(stack, watcher, ctx, f"rc-cold {r}"))
        events = results_per_pair(ctx.kafka, stack.settings.topics.lint_results) \
            if stack.settings.topics is not None else Counter()
        rows = [tally(files, db_copies(stack, job)) for job in killed_jobs]
    seen = [tally(files, Counter({task: n for (job, task), n in events.items() if job == job_id}))
            for job_id in killed_jobs]
    guarantee = stack.env.get("PROCESSORS_PROCESSING_GUARANTEE", "the default guarantee")
    ratio = median(killed) / median(clean)
    first, ready = median([f for f, _ in restarts]), median([r for _, r in restarts])
    ctx.report.details["recovery"] = {"clean_s": clean, "killed_s": killed, "cold_restart_s": restarts,
                                      "db": [vars(t) for t in rows], "results_topic": [vars(t) for t in seen]}
    ctx.report.add(
        Row("recovery", "corpus with the worker killed 3x / fault-free", ratio, "x", "<= 1.5", ratio <= 1.5,
            note=f"medians {median(killed):.1f} s / {median(clean):.1f} s, {files} files, {guarantee}"),
        Row("recovery", "lost files (DB / lint-results read_committed)", sum(t.lost for t in rows + seen),
            target="0", met=not any(t.lost for t in rows + seen),
            note=f"DB {[t.lost for t in rows]}, topic {[t.lost for t in seen]}"),
        Row("recovery", "duplicated results (DB / lint-results read_committed)",
            sum(t.duplicated for t in rows + seen), target="0",
            met=not any(t.duplicated for t in rows + seen),
            note=f"DB {[t.duplicated for t in rows]}, topic {[t.duplicated for t in seen]}"),
        Row("recovery", "first job after an unclean stop of every service", first, "s", "<= 5", first <= 5,
            note=f"sent once the ingest is ready; the harness says ready after {ready:.1f} s (medians)"),
    )
