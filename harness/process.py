"""One service as a child process: its own session, its log, and a graceful stop.

Each service runs in a session (and process group) of its own, so a fault can
``SIGKILL`` or ``SIGSTOP`` a Faust worker together with its lint pool the way a
container kill or a frozen VM would, and a terminal's Ctrl-C reaches only the
harness, which then stops the services in order. Stopping is ``SIGTERM`` to the
service first: the worker leaves its consumer group, closes its pool and,
under coverage, writes its data at exit; ``SIGKILL`` to the whole group comes
only after the grace period, and sweeps up any child left behind.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import IO


class Service:
    """``python -m <module>`` with an environment, a working folder and a log file."""

    def __init__(self, name: str, module: str, env: Mapping[str, str], cwd: Path, log: Path,
                 echo: bool = False) -> None:
        self.name, self.module, self.env, self.cwd, self.log, self.echo = name, module, env, cwd, log, echo
        self.proc: subprocess.Popen[bytes] | None = None
        self._pump: threading.Thread | None = None

    def start(self) -> None:
        """Start (or start again) the process; output goes to the log, and the console when echoing."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module], env=dict(self.env), cwd=self.cwd,
                stdout=subprocess.PIPE if self.echo else log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self.echo:
            self._pump = threading.Thread(target=self._copy, args=(self.proc.stdout,), daemon=True)
            self._pump.start()

    def _copy(self, stream: IO[bytes]) -> None:
        """Each line to the console and the log, prefixed ``[name]``, as it comes."""
        prefix = f"[{self.name}] ".encode()
        with stream, self.log.open("ab") as log:
            for line in iter(stream.readline, b""):
                for out in (sys.stdout.buffer, log):
                    out.write(prefix + line)
                    out.flush()

    @property
    def pid(self) -> int:
        """The service's pid, which is also its process group id."""
        if self.proc is None:
            raise RuntimeError(f"{self.name} was never started")
        return self.proc.pid

    def returncode(self) -> int | None:
        """None while it runs, else its exit status (negative: killed by that signal)."""
        return None if self.proc is None else self.proc.poll()

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the service's whole process group (worker and lint pool alike)."""
        os.killpg(self.pid, sig)

    def kill(self) -> None:
        """``kill -9`` the service and its children, and reap it."""
        with suppress(ProcessLookupError):
            self.signal(signal.SIGKILL)
        self.wait(30)

    def terminate(self) -> None:
        """Ask for an orderly stop: ``SIGTERM`` to the service itself (a paused one is resumed first)."""
        if self.proc is not None and self.proc.poll() is None:
            with suppress(ProcessLookupError):
                self.signal(signal.SIGCONT)
                self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> bool:
        """True when the service exited within ``timeout`` seconds."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return False
        if self._pump is not None:
            self._pump.join(5)
        return True

    def stop(self, grace: float = 30) -> None:
        """Orderly stop; ``SIGKILL`` to the group when it takes longer than ``grace`` seconds."""
        self.terminate()
        self.finish(time.monotonic() + grace)

    def finish(self, deadline: float) -> None:
        """Wait for a stop asked for earlier until ``deadline``, then kill; children left behind go too."""
        if self.proc is None:
            return
        if not self.wait(deadline - time.monotonic()):
            self.kill()
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
