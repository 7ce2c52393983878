"""CPU use under load: the machine, Locust, each service of a private stack, the broker, the database.

On a small machine the load generator, the broker, the database and the
services share the cores with whatever else runs there (``other``: the
machine's total less every group); these figures tell which one ran out first.
"""

import threading
from dataclasses import dataclass, field

import psutil

INTERVAL_S = 1.0
_SERVERS = {"kafka": ("java",), "mariadb": ("mariadbd", "mysqld")}


def shared_servers() -> dict[str, int]:
    """Process ids of the local Kafka broker (its main class on the command line) and database server."""
    found: dict[str, int] = {}
    for process in psutil.process_iter(["pid", "name", "cmdline"]):
        name, cmdline = process.info["name"], process.info["cmdline"] or []
        if name in _SERVERS["kafka"] and "kafka.Kafka" in cmdline:
            found.setdefault("kafka", process.info["pid"])
        elif name in _SERVERS["mariadb"]:
            found.setdefault("mariadb", process.info["pid"])
    return found


@dataclass
class Sampler:
    """Samples every second in a thread; percentages are of one core (200 = two cores busy)."""

    groups: dict[str, int]
    samples: dict[str, list[float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _known: dict[int, psutil.Process] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin sampling (the first sample primes psutil's counters)."""
        psutil.cpu_percent(None)
        self._thread = threading.Thread(target=self._run, name="load-usage", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, dict[str, float]]:
        """Stop, and return mean and peak CPU % per group, ``machine`` included."""
        self._stop.set()
        if self._thread:
            self._thread.join()
        return {name: {"mean": round(sum(v) / len(v), 1), "peak": round(max(v), 1)}
                for name, v in self.samples.items() if v}

    def _run(self) -> None:
        cores = psutil.cpu_count() or 1
        while not self._stop.wait(INTERVAL_S):
            machine = psutil.cpu_percent(None) * cores
            groups = {name: self._tree_cpu(pid) for name, pid in self.groups.items()}
            other = machine - sum(groups.values())
            for name, value in {"machine": machine, **groups, "other": other}.items():
                self.samples.setdefault(name, []).append(value)

    def _tree_cpu(self, pid: int) -> float:
        """CPU % of a process and its children since the last sample (a process new to us counts 0)."""
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0.0
        total = 0.0
        for process in tree:
            known = self._known.setdefault(process.pid, process)
            try:
                total += known.cpu_percent(None)
            except psutil.Error:
                self._known.pop(process.pid, None)
        return total
