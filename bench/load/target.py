"""What the load runs against: a service already up (``make run``), or a private stack started here.

The private stack is the one ``make bench`` uses (its own topics and a fresh
database, removed afterwards), warmed by one job so that no measured request
pays the lint engine's first-use cost.
"""

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.stack import StackSpec, running, submit_sql
from harness import servers


def reachable(host: str) -> None:
    """Stop with a clear message when nothing ready answers at ``host``."""
    try:
        with urllib.request.urlopen(f"{host.rstrip('/')}/health/ready", timeout=10) as resp:
            if resp.status == 200:
                return
    except (urllib.error.URLError, OSError) as exc:
        raise SystemExit(f"load: no ready service at {host} ({exc}); start one with `make run`, "
                         "or pass --stack for a private one") from None
    raise SystemExit(f"load: {host}/health/ready answered {resp.status}")


@contextmanager
def private_stack(kafka: str | None, db_kind: str, workdir: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """A warmed private stack: its URL and its services' process ids; all checked alive after the load."""
    spec = StackSpec(servers.kafka_bootstrap(kafka), db_kind, workdir)
    with running(spec) as stack:
        stack.wait_job(submit_sql(stack, "SELECT 1 -- load warm-up\n"))
        yield stack.base_url, stack.pids()
        stack.assert_alive()
