"""The least-privilege ACL set of the services' principals, as the docs' table lists it.

Each service reads and writes only the topics its agents and readers touch, so a stolen
ingest password cannot forge a lint result. Only the ingest and the processors (their
tenant gateway) write the shared jobs topic, whose ``tenant`` is therefore trusted; an
outside producer is a tenant's principal and writes its own tenant topic only
(``admin.kafka_tenants``), which the processors read by prefix. Every service may describe
the pipeline's topics (the services check them at start) and read consumer groups named
after itself (the Faust app's group, the gateway's, and the per-process readers' throwaway groups);
the processors also write transactions under transactional ids named after their groups.
"""

import time

from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from schemas.tenant_topics import TENANT_INFIX
from schemas.topics import TopicNames

READ, WRITE, DESCRIBE = AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE
LITERAL, PREFIXED = ResourcePatternType.LITERAL, ResourcePatternType.PREFIXED


def _topic_rights(t: TopicNames) -> dict[str, tuple[list[str], list[str]]]:
    """Principal → (topics it reads, topics it writes)."""
    return {
        "ingest": ([t.progress, t.lint_results, t.workers], [t.jobs]),
        "processors": (
            [t.jobs, t.tasks, t.express_tasks, t.lint_cache, t.control],
            # jobs: the tenant gateway forwards the tenants' jobs onto the shared topic.
            [t.jobs, t.tasks, t.express_tasks, t.progress, t.lint_results, t.lint_cache, t.dead_letter,
             t.workers],
        ),
        "sink": ([t.jobs, t.tasks, t.progress, t.lint_results, t.control], [t.dead_letter, t.workers]),
    }


# Principal → prefixes of the consumer groups it may join or read offsets of.
GROUP_PREFIXES = {
    "ingest": ["sqllint-ingest-"],
    "processors": ["sqllint-processors", "sqllint-cache-reader-", "sqllint-control-"],
    "sink": ["sqllint-sink", "sqllint-control-"],
}


def service_acls(topics: TopicNames, topic_prefix: str = "sqllint.") -> list[AclBinding]:
    """Every ALLOW binding of the pipeline; the authorizer denies all the rest."""
    bindings = []

    def allow(
        user: str, kind: ResourceType, name: str, pattern: ResourcePatternType, op: AclOperation
    ) -> None:
        bindings.append(AclBinding(kind, name, pattern, f"User:{user}", "*", op, AclPermissionType.ALLOW))

    for user, (reads, writes) in _topic_rights(topics).items():
        for name in reads:
            allow(user, ResourceType.TOPIC, name, LITERAL, READ)
        for name in writes:
            allow(user, ResourceType.TOPIC, name, LITERAL, WRITE)
        allow(user, ResourceType.TOPIC, topic_prefix, PREFIXED, DESCRIBE)
        for prefix in GROUP_PREFIXES[user]:
            allow(user, ResourceType.GROUP, prefix, PREFIXED, READ)
    # Every tenant's topic, present and future: the gateway subscribes by pattern.
    allow("processors", ResourceType.TOPIC, topics.jobs + TENANT_INFIX, PREFIXED, READ)
    # The transactions' producers, one per input partition: "<its group>-<topic>-<partition>".
    allow("processors", ResourceType.TRANSACTIONAL_ID, GROUP_PREFIXES["processors"][0], PREFIXED, WRITE)
    # The ingest's monitoring endpoints describe the workers' groups and their lag.
    allow("ingest", ResourceType.GROUP, "sqllint-", PREFIXED, DESCRIBE)
    return bindings


def create_acls(admin: AdminClient, bindings: list[AclBinding], timeout: float = 30.0) -> None:
    """Create ``bindings``, and return once the broker enforces them; raises the broker's refusal if any.

    The controller commits ACLs before the broker's authorizer has applied them, so the
    broker's own answer to a describe (served from that authorizer) is what is waited for.
    """
    for future in admin.create_acls(bindings, request_timeout=timeout).values():
        future.result(timeout)
    everything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                  AclOperation.ANY, AclPermissionType.ANY)
    deadline = time.monotonic() + timeout
    while not set(bindings) <= set(admin.describe_acls(everything).result(timeout)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the broker did not enforce {len(bindings)} ACLs in {timeout}s")
        time.sleep(0.2)
