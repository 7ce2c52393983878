"""Scenario ``memory``: RSS of every service process while one job lints 2,000 files.

The corpus is cycled to 2,000 files, each with a distinct comment. A thread
samples the resident set size (psutil) of the ingest, the sink, the processors
main process and each of its lint workers (the ``spawn_main`` children) every
0.2 s, along with the number of finished tasks read from the database. Figures:
peak RSS per process, and RSS when the 500th and the last file were done. Lint
workers are recycled after ``WORKER_MAX_TASKS`` files (1,000 by default), so
"lint workers" means the largest live worker at that moment, and the number of
worker processes seen is reported.
"""

import threading
import time
from dataclasses import dataclass, field

import psutil

from bench.common import Context, warm_up, watched
from bench.report import Row
from bench.stack import submit_zip
from bench.watch import JobWatcher

MB = 1024 * 1024
CHECKPOINT = 500


@dataclass
class Sampler:
    """Background RSS sampling of the service processes, keyed by role."""

    pids: dict[str, int]
    watcher: JobWatcher
    interval: float = 0.2
    job_id: str | None = None
    peak: dict[str, float] = field(default_factory=dict)
    at: dict[int, dict[str, float]] = field(default_factory=dict)
    workers_seen: set[int] = field(default_factory=set)
    worker_peak: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        """Sample in the background until :meth:`stop`."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self, total: int) -> None:
        """Take the final sample (labelled ``total`` files) and stop."""
        self.at[total] = self.sample()
        self._stop.set()
        self._thread.join(5)

    def sample(self) -> dict[str, float]:
        """RSS in MiB per role now; peaks are updated as a side effect."""
        out: dict[str, float] = {}
        for role, pid in self.pids.items():
            proc = psutil.Process(pid)
            out[role] = proc.memory_info().rss / MB
            if role.startswith("processors"):
                workers = [c for c in proc.children() if "spawn_main" in " ".join(_cmdline(c))]
                for w in workers:
                    rss = _rss(w)
                    self.workers_seen.add(w.pid)
                    self.worker_peak[w.pid] = max(self.worker_peak.get(w.pid, 0.0), rss)
                out["lint workers (largest)"] = max((_rss(w) for w in workers), default=0.0)
                out["lint workers (sum)"] = sum(_rss(w) for w in workers)
        for role, value in out.items():
            self.peak[role] = max(self.peak.get(role, 0.0), value)
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            current = self.sample()
            due = self.job_id is not None and CHECKPOINT not in self.at
            if due and self.watcher.finished_tasks(str(self.job_id)) >= CHECKPOINT:
                self.at[CHECKPOINT] = current
            time.sleep(self.interval)


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def _rss(proc: psutil.Process) -> float:
    try:
        return proc.memory_info().rss / MB
    except psutil.Error:
        return 0.0


def memory(ctx: Context) -> None:
    """Peak RSS per process, and growth from file 500 to the last file."""
    total = ctx.options.get("memory_files", 2000)
    files = ctx.corpus.cycled(total, ctx.tag("mem"))
    with watched(ctx.spec("memory"), interval=0.05) as (stack, watcher):
        warm_up(stack, watcher, ctx.corpus, ctx.dialect, ctx.tag("mem"))
        sampler = Sampler(stack.pids(), watcher)
        sampler.at[0] = sampler.sample()
        sampler.start()
        payload = files.zip_bytes()
        started = time.perf_counter()
        sampler.job_id = submit_zip(stack, payload, ctx.dialect)
        finished = watcher.wait(sampler.job_id, timeout=1800)
        seconds = time.perf_counter() - started
        sampler.stop(total)
    ctx.report.details["memory"] = {"at": sampler.at, "peak": sampler.peak, "seconds": seconds,
                                    "worker_peak": sampler.worker_peak, "status": finished.status}
    ctx.report.add(Row("memory", f"{total} files linted in", seconds, "s",
                       note=f"{total / seconds:.1f} files/s, {finished.status}"))
    for role, peak in sampler.peak.items():
        before, after = sampler.at.get(CHECKPOINT, {}).get(role), sampler.at[total].get(role)
        growth = (after - before) / before * 100 if before and after else None
        note = f"RSS {before or 0:.0f} MB at file {CHECKPOINT}, {after or 0:.0f} MB at file {total}"
        if role.startswith("lint workers"):
            note += f"; {len(sampler.workers_seen)} worker processes seen"
        ctx.report.add(Row("memory", f"{role}: peak RSS", peak, "MB", note=note))
        if growth is not None and role != "lint workers (sum)":
            ctx.report.add(Row("memory", f"{role}: RSS growth file {CHECKPOINT} -> {total}", growth, "%",
                               "<= 20%", growth <= 20))
