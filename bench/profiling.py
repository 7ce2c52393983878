"""Scenario ``profile``: where the CPU goes, sampled with py-spy (not part of the default set).

Phase 1 records the ingest, the sink and the processors (with its lint workers)
while one corpus ZIP is linted; phase 2 records the ingest alone under wrk load
(16 connections). Raw collapsed stacks land in ``--profile-dir``; the summary
(self time by package and by function, and inclusive time of our own functions)
is written beside them and the top entries go into the table.
"""

import re
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Context, time_zip_job, warm_up, watched
from bench.ingest_load import _wrk
from bench.report import Row
from bench.stack import running
from bench.tools import ensure_wrk, py_spy

OURS = ("ingest", "processors", "sink", "schemas", "bench")
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass
class Profile:
    """Samples of one process: self time by function and package, inclusive time of our functions."""

    samples: int = 0
    by_package: Counter[str] = field(default_factory=Counter)
    by_function: Counter[str] = field(default_factory=Counter)
    ours_inclusive: Counter[str] = field(default_factory=Counter)

    def top(self, counter: Counter[str], n: int = 12) -> list[tuple[str, float]]:
        """The ``n`` largest entries as percentages of this process's samples."""
        return [(k, 100 * v / self.samples) for k, v in counter.most_common(n)]


def package_of(path: str) -> str:
    """py-spy shows import paths: ``sqlfluff/core/x.py`` -> ``sqlfluff``, ``ssl.py`` -> ``ssl``."""
    if path.startswith("<"):
        return "python"
    return path.split("/", 1)[0].removesuffix(".py")


def summarise(raw: Path) -> dict[str, Profile]:
    """Per process (``--subprocesses`` prefixes a ``process N:...`` frame) profiles from a raw file."""
    out: dict[str, Profile] = {}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        label = raw.stem
        while frames and frames[0].startswith("process "):
            label = frames.pop(0)
        if frames and frames[0].startswith("thread "):
            frames.pop(0)
        count = int(count_text)
        prof = out.setdefault(_role(label), Profile())
        prof.samples += count
        parsed = [m.groupdict() for f in frames if (m := _FRAME.match(f))]
        if not parsed:
            continue
        leaf = parsed[-1]
        prof.by_package[package_of(leaf["file"])] += count
        prof.by_function[f"{leaf['func']} ({Path(leaf['file']).name})"] += count
        seen = {f"{p['func']} ({_short(p['file'])})" for p in parsed if package_of(p["file"]) in OURS}
        for name in seen:
            prof.ours_inclusive[name] += count
    return out


def _role(label: str) -> str:
    """Lint workers come and go (recycling); they are summed under one role."""
    if "spawn_main" in label:
        return "lint workers"
    return "main" if label.startswith("process ") else label


def _short(path: str) -> str:
    return "/".join(Path(path).parts[-2:])


def record(pids: dict[str, int], out_dir: Path, children: bool) -> list[subprocess.Popen[bytes]]:
    """Start one py-spy per process (with its lint workers for the processors); stop with :func:`finish`."""
    spy = py_spy()
    procs = []
    for role, pid in pids.items():
        cmd = [spy, "record", "--pid", str(pid), "--format", "raw", "-o", str(out_dir / f"{role}.txt"),
               "--rate", "200", "--nonblocking"]
        if children and role.startswith("proc"):
            cmd.append("--subprocesses")
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.0)  # py-spy attaches
    return procs


def finish(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGINT makes py-spy write its file and exit."""
    for proc in procs:
        proc.send_signal(signal.SIGINT)
    for proc in procs:
        proc.wait(30)


def write_summary(ctx: Context, out_dir: Path, phase: str) -> None:
    """``summary.txt`` beside the raw files, and one table row per profiled process."""
    lines = []
    for raw in sorted(out_dir.glob("*.txt")):
        if raw.name.startswith("summary"):
            continue
        for role, prof in summarise(raw).items():
            lines.append(f"## {phase} / {raw.stem} / {role}: {prof.samples} samples")
            sections = (("self by package", prof.by_package), ("self by function", prof.by_function),
                        ("inclusive, our functions", prof.ours_inclusive))
            for title, counter in sections:
                lines.append(f"### {title}")
                lines += [f"{pct:5.1f}%  {name}" for name, pct in prof.top(counter)]
            top = ", ".join(f"{n} {p:.0f}%" for n, p in prof.top(prof.by_package, 4))
            ctx.report.add(Row("profile", f"{phase}: {raw.stem} / {role}", prof.samples, "samples", note=top))
    (out_dir / "summary.txt").write_text("\n".join(lines) + "\n")


def profile(ctx: Context) -> None:
    """Both phases; see the module docstring."""
    base = Path(ctx.report.details.get("profile_dir", ctx.workdir / "profile"))
    pipeline_dir, ingest_dir = base / "pipeline", base / "ingest"
    for d in (pipeline_dir, ingest_dir):
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("*.txt"):
            old.unlink()
    with watched(ctx.spec("profile"), interval=0.02) as (stack, watcher):
        warm_up(stack, watcher, ctx.corpus, ctx.dialect, ctx.tag("prof"))
        spies = record(stack.pids(), pipeline_dir, children=True)
        run = time_zip_job(stack, watcher, ctx.corpus.tagged(ctx.tag("prof")), ctx.dialect)
        finish(spies)
    ctx.report.add(Row("profile", "corpus job under py-spy", run.seconds, "s"))
    write_summary(ctx, pipeline_dir, "pipeline")
    wrk = ensure_wrk()
    with running(ctx.spec("profile-ingest", pipeline=False)) as stack:
        _wrk(wrk, stack, 4, 2)
        spies = record({"ingest": stack.pids()["ingest"]}, ingest_dir, children=False)
        load = _wrk(wrk, stack, 16, ctx.options.get("ingest_seconds", 8))
        finish(spies)
    ctx.report.add(Row("profile", "ingest under py-spy, 16 connections", load.rate, "jobs/s"))
    write_summary(ctx, ingest_dir, "ingest")
