"""Is a Faust worker really working? Its consumer group says: members and their partitions.

A worker process that is alive may still be joining its group; only once the
group coordinator has handed it partitions does it consume. The AdminClient's
``describe_consumer_groups`` shows exactly that, without joining the group.
"""

import time
from collections.abc import Callable

from confluent_kafka import ConsumerGroupState
from confluent_kafka.admin import AdminClient


def group_members(bootstrap: str, group: str, topic: str,
                  admin: AdminClient | None = None, stable: bool = False) -> dict[str, list[int]]:
    """Partitions of ``topic`` each live member of the consumer group holds (``admin``: a client to reuse).

    ``stable``: only once the group settled; while it rebalances the members still show their
    old assignments (a member that stays keeps its old half until the new plan is handed out).
    """
    admin = admin or AdminClient({"bootstrap.servers": bootstrap})
    description = admin.describe_consumer_groups([group])[group].result(timeout=30)
    if stable and description.state != ConsumerGroupState.STABLE:
        return {}
    return {
        m.member_id: [tp.partition for tp in m.assignment.topic_partitions if tp.topic == topic]
        for m in description.members
    }


def wait_members(bootstrap: str, group: str, topic: str, count: int, timeout: float = 120,
                 alive: Callable[[], None] | None = None) -> float:
    """Seconds until exactly ``count`` members of the settled group hold partitions of ``topic``.

    ``TimeoutError`` after ``timeout``.

    ``alive`` is called on every round, so a worker that died fails the wait at
    once (by raising) instead of at the timeout.
    """
    admin = AdminClient({"bootstrap.servers": bootstrap})
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if alive is not None:
            alive()
        try:
            members = group_members(bootstrap, group, topic, admin, stable=True)
        except Exception:  # the group does not exist until its first member joins
            members = {}
        if len(members) == count and all(members.values()):
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"group {group} never had {count} member(s) holding partitions of {topic}")
