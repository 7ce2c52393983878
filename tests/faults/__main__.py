"""Replay fault scenarios by name and print their figures: ``python -m tests.faults kill-worker``.

Starts (or reuses) the 3-node cluster of ``infra/kafka/kafka.sh --cluster`` on
``KAFKA_CLUSTER_PORT`` and the MariaDB of ``infra/mariadb.sh`` (or
``TEST_DATABASE_URL``). Exit status 1 when any scenario lost, duplicated or
corrupted anything.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests import _infra
from tests.faults import cluster
from tests.faults.hostile import run_all, table
from tests.faults.runner import FaultEnv
from tests.faults.scenarios import SCENARIOS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", choices=[*SCENARIOS, "hostile", "all"], help="scenarios to run")
    args = parser.parse_args(argv)
    names = [*SCENARIOS, "hostile"] if "all" in args.names else args.names
    bootstrap = cluster.start()
    if os.environ.get("TEST_DATABASE_URL"):
        server_url = os.environ["TEST_DATABASE_URL"]
    else:
        _infra.run_script(_infra.MARIADB_SH, "ensure")
        server_url = _infra.run_script(_infra.MARIADB_SH, "test-url").strip()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        for name in names:
            print(f"== {name} (cluster {bootstrap})", flush=True)
            env = FaultEnv(bootstrap, server_url, Path(tmp) / name)
            if name == "hostile":
                outcomes = run_all(env)
                print(table(outcomes), flush=True)
                failed += any(out.got not in case.accepted or out.stray_files for case, out in outcomes)
                continue
            figures = SCENARIOS[name](env)
            print(figures.report(), flush=True)
            failed += bool(figures.problems())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
