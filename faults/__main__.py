"""Replay fault scenarios by name and print their figures: ``python -m faults kill-worker``.

Starts (or reuses) the 3-node cluster of ``infra/kafka/kafka.sh --cluster`` on
``KAFKA_CLUSTER_PORT`` and the MariaDB of ``infra/mariadb.sh`` (or
``TEST_DATABASE_URL``). Exit status 1 when any scenario lost, duplicated or
corrupted anything.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from faults.hostile import run_all, table
from faults.runner import FaultEnv
from faults.scenarios import SCENARIOS
from harness import cluster, servers


def main(argv: list[str] | None = None) -> int:
    """Run the named scenarios in order, each in its own folder; 1 when any of them failed."""
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", choices=[*SCENARIOS, "hostile", "all"], help="scenarios to run")
    args = parser.parse_args(argv)
    names = [*SCENARIOS, "hostile"] if "all" in args.names else args.names
    bootstrap = cluster.start()
    server_url = servers.mysql_server_url()
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
