"""Who the workers are: the consumer groups' members joined with their newest heartbeats.

The group description is the broker's truth about membership and
assignments; the heartbeat is the worker's own account of everything else.
A worker is alive while its heartbeat is younger than ``stale_after_s`` and,
once it has had time to join, while its group (when settled) still lists it;
a member that never beat still shows, with what the group alone knows
(unless a heartbeat of its group found no member: it may be that worker). A
heartbeat is matched to its member by Kafka client id, else by assignment.
"""

from collections.abc import Mapping
from datetime import datetime

from ingest.kafka_ops import GroupInfo, Member
from schemas.monitoring import GroupView, WorkerView
from schemas.worker_events import AssignedPartition, WorkerHeartbeat, WorkerRole

# Group states whose member list is settled (not in the middle of a rebalance).
SETTLED = frozenset({"STABLE", "EMPTY", "DEAD"})


def fresh(
    beats: Mapping[str, WorkerHeartbeat], now: datetime, stale_after_s: float
) -> dict[str, WorkerHeartbeat]:
    """The heartbeats young enough to speak for a live worker."""
    return {key: b for key, b in beats.items() if (now - b.sent_at).total_seconds() <= stale_after_s}


def groups_to_describe(
    roles: Mapping[str, WorkerRole], beats: Mapping[str, WorkerHeartbeat]
) -> dict[str, WorkerRole]:
    """Group → role: the configured groups plus every group a heartbeat names."""
    return {**{b.consumer_group: b.role for b in beats.values()}, **roles}


def _assigned(pairs: tuple[tuple[str, int], ...]) -> tuple[AssignedPartition, ...]:
    return tuple(AssignedPartition(topic=t, partition=p) for t, p in pairs)


def _match(beat: WorkerHeartbeat, group: GroupInfo | None) -> Member | None:
    if group is None:
        return None
    if beat.client_id:
        by_client = [m for m in group.members if m.client_id == beat.client_id]
        if len(by_client) == 1:
            return by_client[0]
        candidates = by_client
    else:
        candidates = list(group.members)
    own = tuple(sorted((a.topic, a.partition) for a in beat.assigned))
    by_assignment = [m for m in candidates if own and m.assigned == own]
    return by_assignment[0] if len(by_assignment) == 1 else None


def _gone(beat: WorkerHeartbeat, group: GroupInfo | None, now: datetime, stale_after_s: float) -> bool:
    """Its settled group no longer lists its client id, though it has had time to join."""
    if group is None or group.error is not None or group.state not in SETTLED or not beat.client_id:
        return False
    joined_long_ago = (now - beat.started_at).total_seconds() > stale_after_s
    return joined_long_ago and all(m.client_id != beat.client_id for m in group.members)


# What a heartbeat says that the view shows as it is.
_AS_BEATEN = (
    "worker_id",
    "role",
    "consumer_group",
    "state",
    "host",
    "pid",
    "client_id",
    "lint_processes",
    "current_tasks",
    "files_done",
    "files_failed",
    "rss_bytes",
    "started_at",
    "last_control",
)
# What a member that never beat cannot say.
_NEVER_BEAT = {
    "pid": None,
    "lint_processes": (),
    "current_tasks": (),
    "files_done": 0,
    "files_failed": 0,
    "rss_bytes": 0,
    "started_at": None,
    "uptime_s": None,
    "last_heartbeat": None,
    "heartbeat_age_s": None,
    "last_control": None,
}


def _from_beat(beat: WorkerHeartbeat, member: Member | None, now: datetime) -> WorkerView:
    return WorkerView(
        **{name: getattr(beat, name) for name in _AS_BEATEN},
        member_id=member.member_id if member else None,
        in_group=member is not None,
        assigned=_assigned(member.assigned) if member else beat.assigned,
        uptime_s=max(0.0, (now - beat.started_at).total_seconds()),
        last_heartbeat=beat.sent_at,
        heartbeat_age_s=max(0.0, (now - beat.sent_at).total_seconds()),
    )


def _from_member(member: Member, group: str, role: WorkerRole) -> WorkerView:
    return WorkerView(
        worker_id=member.member_id,
        role=role,
        consumer_group=group,
        state="unknown",
        host=member.host,
        client_id=member.client_id,
        member_id=member.member_id,
        in_group=True,
        assigned=_assigned(member.assigned),
        **_NEVER_BEAT,
    )


def live_workers(
    beats: Mapping[str, WorkerHeartbeat],
    groups: list[GroupInfo],
    roles: Mapping[str, WorkerRole],
    now: datetime,
    stale_after_s: float,
) -> list[WorkerView]:
    """Every live worker, by role then id: heartbeating ones, and members that never beat."""
    by_group = {g.group_id: g for g in groups}
    views: list[WorkerView] = []
    claimed: set[str] = set()
    unmatched: set[str] = set()  # groups with a heartbeat no member could be matched to
    for beat in fresh(beats, now, stale_after_s).values():
        group = by_group.get(beat.consumer_group)
        if _gone(beat, group, now, stale_after_s):
            continue
        member = _match(beat, group)
        if member is None:
            unmatched.add(beat.consumer_group)
        else:
            claimed.add(member.member_id)
        views.append(_from_beat(beat, member, now))
    for group in groups:
        role = roles.get(group.group_id)
        # Beside an unmatched heartbeat, a lone member may be that same worker: not shown twice.
        if role is not None and group.group_id not in unmatched:
            views += [
                _from_member(m, group.group_id, role) for m in group.members if m.member_id not in claimed
            ]
    return sorted(views, key=lambda v: (v.role, v.worker_id))


def group_views(groups: list[GroupInfo], roles: Mapping[str, WorkerRole]) -> tuple[GroupView, ...]:
    """What the broker said about each group."""
    return tuple(
        GroupView(
            group_id=g.group_id,
            role=roles.get(g.group_id),
            state=g.state,
            members=len(g.members),
            error=g.error,
        )
        for g in groups
    )
