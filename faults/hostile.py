"""Send every hostile input to the real stack; record the answer, the time, the peak memory.

Memory is the RSS of each service's whole process group (the processors
worker counts with its lint processes), sampled every 50 ms while a case runs.
After each case the storage root is listed: a byte outside the job's folder
is reported as a stray file.
"""

import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faults.hostile_inputs import CASES, HOSTILE_ENV, Case, Expect
from faults.runner import FaultEnv
from faults.services import fault_stack
from harness.http import multipart
from harness.resources import migrated_database
from harness.stack import Stack

PAGE = 4096


def group_rss_mib(pgid: int) -> float:
    """Resident memory of every process in the group, from /proc (no psutil needed)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp, after the state and ppid
            total += int(fields[21]) * PAGE  # rss in pages
    return total / (1024 * 1024)


@dataclass
class PeakRss:
    """Peak group RSS per service, sampled in the background."""

    stack: Stack
    peaks: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def sampling(self) -> Any:
        """Sample every 50 ms for the length of a ``with`` block; peaks start from zero."""
        self.peaks = {}
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                for name, pid in self.stack.pids().items():
                    self.peaks[name] = max(self.peaks.get(name, 0.0), group_rss_mib(pid))
                stop.wait(0.05)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()


@dataclass(frozen=True)
class Outcome:
    """What the service answered for one case, in the same shape as :class:`Expect`."""

    got: Expect
    seconds: float
    peak_mib: dict[str, float]
    stray_files: list[str]


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def submit(stack: Stack, case: Case, tmp: Path) -> Expect:
    """POST the case as an upload; wait for its job when accepted."""
    body, content_type = multipart({}, case.file_name, case.build(tmp))
    status, reply = stack.request("POST", "/api/v1/jobs", data=body, headers={"Content-Type": content_type})
    if status != 202:
        return Expect(status, (reply or {}).get("error", {}).get("code"))
    job = stack.wait_job(reply["job_id"], timeout=60, interval=0.05)
    tasks = Counter(t["error"]["code"] if t["error"] else t["task_status"] for t in job["tasks"])
    error = (job.get("error") or {}).get("code")
    return Expect(202, error, job["job_status"], dict(tasks))


def run_case(stack: Stack, rss: PeakRss, storage: Path, case: Case, tmp: Path) -> Outcome:
    """One case, measured; new files must all sit under ``jobs/<its job id>/``."""
    tmp.mkdir(parents=True, exist_ok=True)
    before = _files(storage)
    with rss.sampling():
        started = time.monotonic()
        got = submit(stack, case, tmp)
        seconds = time.monotonic() - started
    stray = sorted(f for f in _files(storage) - before if not f.startswith("jobs/"))
    kept = _files(storage) - before
    per_job = {f.split("/")[1] for f in kept if f.startswith("jobs/")}
    if len(per_job) > 1:
        stray.append(f"files in {len(per_job)} job folders")
    if got.status != 202:  # a refused upload is removed again
        stray.extend(sorted(kept))
    return Outcome(got, seconds, dict(rss.peaks), stray)


def run_all(env: FaultEnv) -> list[tuple[Case, Outcome]]:
    """The whole table against one stack (1 processor worker, 2 lint processes)."""
    outcomes = []
    with migrated_database(env.server_url) as db, \
            fault_stack(env.bootstrap, db, env.workdir / "hostile", **HOSTILE_ENV) as run:
        rss = PeakRss(run.stack)
        for i, case in enumerate(CASES):
            outcomes.append((case, run_case(run.stack, rss, run.storage, case, env.workdir / f"case{i}")))
    return outcomes


def _answer(e: Expect) -> str:
    if e.status != 202:
        return f"{e.status} `{e.code}`"
    tasks = ", ".join(f"{k}: {n}" for k, n in sorted(e.tasks.items()))
    return f"202 → {e.job_status}" + (f" `{e.code}`" if e.code else "") + (f" ({tasks})" if tasks else "")


def table(outcomes: list[tuple[Case, Outcome]]) -> str:
    """Markdown rows for docs/reliability.md."""
    lines = ["| input | answer | as expected | time (s) | peak RSS ingest / processors (MiB) | stray files |",
             "|---|---|---|---|---|---|"]
    for case, out in outcomes:
        peaks = f"{out.peak_mib.get('ingest', 0):.0f} / {out.peak_mib.get('processors', 0):.0f}"
        ok = "yes" if out.got in case.accepted else f"no, expected {_answer(case.expect)}"
        lines.append(f"| {case.name} | {_answer(out.got)} | {ok} | {out.seconds:.2f} | {peaks} | "
                     f"{len(out.stray_files)} |")
    return "\n".join(lines)
