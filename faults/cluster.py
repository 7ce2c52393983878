"""Faults to inject into the 3-node cluster of :mod:`harness.cluster`, and who leads what.

A killed node comes back with :func:`harness.cluster.start`, which starts only
the nodes that are down and waits until all three answer.
"""

import os
import signal
import time
from collections import Counter
from pathlib import Path

from confluent_kafka.admin import AdminClient

from harness import cluster


def kill_node(node: int) -> None:
    """Kill -9 one broker (no controlled shutdown: its partitions lose their leader abruptly)."""
    pid = cluster.node_pid(node)
    if pid is None:
        raise RuntimeError(f"kafka node {node} is not running")
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def leaders(topic: str) -> Counter[int]:
    """How many partitions of ``topic`` each broker (node id) leads."""
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})
    metadata = admin.list_topics(topic, timeout=30).topics[topic]
    return Counter(p.leader for p in metadata.partitions.values())


def main_leader(topic: str) -> int:
    """The broker leading most partitions of ``topic``: the one whose death hurts most."""
    return leaders(topic).most_common(1)[0][0]
