"""The 3-node Kafka cluster of ``infra/kafka/kafka.sh --cluster``: where it listens, start, stop.

The fault scenarios and the cluster smoke test run against it (replication
factor 3, ``min.insync.replicas`` 2, the transaction state log likewise). Brokers are found by the pid files
kafka.sh keeps under ``var/kafka/cluster/node<i>``; ``start`` starts only the
nodes that are down and waits until all three answer.
"""

import os
from pathlib import Path

from harness.servers import KAFKA_SH, ROOT, run_script

NODES = (1, 2, 3)
CLUSTER_DIR = ROOT / "var" / "kafka" / "cluster"


def first_port() -> int:
    """Port of node 1; node i listens 100 ports above node i-1 (as kafka.sh does)."""
    return int(os.environ.get("KAFKA_CLUSTER_PORT", "29092"))


def bootstrap() -> str:
    """All three brokers, so a client survives any one of them."""
    return ",".join(f"127.0.0.1:{first_port() + 100 * (node - 1)}" for node in NODES)


def start() -> str:
    """Start the nodes that are down (idempotent) and wait for all three; returns the bootstrap."""
    run_script(KAFKA_SH, "start", "--cluster", timeout=300)
    return bootstrap()


def stop() -> None:
    """Orderly stop of every node (SIGTERM, then SIGKILL after kafka.sh's timeout)."""
    run_script(KAFKA_SH, "stop", "--cluster", timeout=300)


def node_pid(node: int) -> int | None:
    """The pid of a running node, from kafka.sh's pid file; None when it is down."""
    pidfile = node_dir(node) / "kafka.pid"
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def running() -> bool:
    """True when all three nodes run: a session that found them so leaves them so."""
    return all(node_pid(node) for node in NODES)


def node_dir(node: int) -> Path:
    """Where kafka.sh keeps a node's data, logs and pid file."""
    return CLUSTER_DIR / f"node{node}"
