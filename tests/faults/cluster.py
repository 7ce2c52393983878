"""The 3-node Kafka cluster of ``infra/kafka/kafka.sh --cluster``, and faults to inject into it.

Brokers are found by the pid files kafka.sh keeps under ``var/kafka/cluster/node<i>``;
a killed node comes back with ``kafka.sh start --cluster``, which starts only
the nodes that are not running and waits until all three answer.
"""

import os
import signal
import time
from collections import Counter
from pathlib import Path

from confluent_kafka.admin import AdminClient

from tests import _infra

NODES = (1, 2, 3)
CLUSTER_DIR = _infra.ROOT / "var" / "kafka" / "cluster"


def first_port() -> int:
    """Port of node 1; node i listens 100 ports above node i-1 (as kafka.sh does)."""
    return int(os.environ.get("KAFKA_CLUSTER_PORT", "29092"))


def bootstrap() -> str:
    """All three brokers, so a client survives any one of them."""
    return ",".join(f"127.0.0.1:{first_port() + 100 * (node - 1)}" for node in NODES)


def start() -> str:
    """Start the nodes that are down (idempotent) and wait for all three; returns the bootstrap."""
    _infra.run_script(_infra.KAFKA_SH, "start", "--cluster", timeout=300)
    return bootstrap()


def stop_all() -> None:
    """Orderly stop of every node (SIGTERM, then SIGKILL after kafka.sh's timeout)."""
    _infra.run_script(_infra.KAFKA_SH, "stop", "--cluster", timeout=300)


def node_pid(node: int) -> int | None:
    """The pid of a running node, from kafka.sh's pid file."""
    pidfile = CLUSTER_DIR / f"node{node}" / "kafka.pid"
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def kill_node(node: int) -> None:
    """Kill -9 one broker (no controlled shutdown: its partitions lose their leader abruptly)."""
    pid = node_pid(node)
    if pid is None:
        raise RuntimeError(f"kafka node {node} is not running")
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def leaders(topic: str) -> Counter[int]:
    """How many partitions of ``topic`` each broker (node id) leads."""
    admin = AdminClient({"bootstrap.servers": bootstrap()})
    metadata = admin.list_topics(topic, timeout=30).topics[topic]
    return Counter(p.leader for p in metadata.partitions.values())


def main_leader(topic: str) -> int:
    """The broker leading most partitions of ``topic``: the one whose death hurts most."""
    return leaders(topic).most_common(1)[0][0]
