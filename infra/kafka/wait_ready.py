"""Wait until Kafka answers a metadata request, not merely until its port is open.

An open port only says the socket is bound; a KRaft broker accepts connections
before its controller quorum has elected a leader and before it has registered,
so clients started then fail. Listing topics (and counting the registered
brokers for a cluster) is what a real client will need.
"""

import argparse
import os
import sys
import time

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_ready(bootstrap: str, brokers: int, timeout: float, pids: list[int]) -> str:
    """Return an empty string when ready, else why not."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, "logger": _Silent()})
    deadline = time.monotonic() + timeout
    reason = "timed out"
    while time.monotonic() < deadline:
        dead = [p for p in pids if p > 0 and not _alive(p)]
        if dead:
            return f"broker process(es) {dead} exited"
        try:
            metadata = admin.list_topics(timeout=5)
        except KafkaException as exc:
            reason = str(exc)
        else:
            if len(metadata.brokers) >= brokers:
                return ""
            reason = f"{len(metadata.brokers)}/{brokers} brokers registered"
        time.sleep(0.5)
    return reason


class _Silent:
    """librdkafka logs every refused connection while the broker boots; that is expected here."""

    def log(self, *_args: object) -> None:
        """Drop the message."""


def main() -> int:
    """CLI used by kafka.sh: exit 0 when ready, 1 with the reason otherwise."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bootstrap")
    parser.add_argument("--brokers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pids", type=int, nargs="*", default=[])
    args = parser.parse_args()
    reason = wait_ready(args.bootstrap, args.brokers, args.timeout, args.pids)
    if reason:
        print(f"wait_ready: {args.bootstrap}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
