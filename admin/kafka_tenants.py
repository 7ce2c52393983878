"""``sqllint-admin kafka grant-tenant|revoke-tenant``: an outside producer's principal, mapped to a tenant.

Kafka does not tell a consumer who produced a record, so the tenant of an outside job is
proven by where it was written: ``<jobs>.tenant.<name>``, a topic only that tenant's
principal may write (a LITERAL ACL). The processors' tenant gateway stamps the tenant from
the topic's name onto the shared jobs topic (docs/security.md, "Outside producers and Kafka
principals"). Run with the settings of a principal allowed to create topics and ACLs (the
cluster's admin): ``KAFKA_BOOTSTRAP_SERVERS``, ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_*``,
``KAFKA_SSL_*``, and the topics' shape (``TOPICS__JOBS``, ``TOPIC_PARTITIONS``,
``TOPIC_REPLICATION_FACTOR``, ``TOPIC_MIN_INSYNC_REPLICAS``) as the services have them.
"""

import argparse
import re
import sys
import time
from collections.abc import Sequence

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
)

from runtime.kafka_admin import topic_specs
from runtime.kafka_security import kafka_security
from runtime.settings import ServiceSettings, load_settings
from schemas.tenant_topics import tenant_topic
from schemas.topics import TopicNames

TENANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")  # schemas.events.TenantName
PRINCIPAL = re.compile(r"^User:[^\s*]+$")  # one named user: never the wildcard User:*
READ, WRITE, DESCRIBE = AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE
TIMEOUT = 30.0


def group_prefix(tenant: str) -> str:
    """The consumer groups a tenant may use (``sqllint-tenant-acme-results``, ...)."""
    return f"sqllint-tenant-{tenant}-"


def tenant_acls(topics: TopicNames, tenant: str, principal: str) -> list[AclBinding]:
    """Write its own jobs topic; read the results; its own consumer groups. Nothing else."""
    literal, prefixed = ResourcePatternType.LITERAL, ResourcePatternType.PREFIXED
    rights = [
        (ResourceType.TOPIC, tenant_topic(topics.jobs, tenant), literal, WRITE),
        (ResourceType.TOPIC, tenant_topic(topics.jobs, tenant), literal, DESCRIBE),
        (ResourceType.TOPIC, topics.lint_results, literal, READ),
        (ResourceType.TOPIC, topics.lint_results, literal, DESCRIBE),
        (ResourceType.GROUP, group_prefix(tenant), prefixed, READ),
    ]
    return [AclBinding(kind, name, pattern, principal, "*", op, AclPermissionType.ALLOW)
            for kind, name, pattern, op in rights]


def describe(binding: AclBinding) -> str:
    """One ACL as a line an operator can compare with docs/security.md's table."""
    b = binding
    pattern = b.resource_pattern_type.name
    return f"allow {b.principal} {b.operation.name} {b.restype.name} {b.name} ({pattern})"


def _await_acls(admin: AdminClient, bindings: list[AclBinding], present: bool) -> None:
    """Return once the broker's authorizer (which answers describes) shows or stopped showing ``bindings``.

    The controller commits ACLs before the brokers apply them: a producer started right after
    the command must meet the rights the command printed.
    """
    everything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                  AclOperation.ANY, AclPermissionType.ANY)
    deadline = time.monotonic() + TIMEOUT
    while True:
        shown = set(admin.describe_acls(everything, request_timeout=TIMEOUT).result(TIMEOUT))
        if (set(bindings) <= shown) if present else not (set(bindings) & shown):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the broker did not apply {len(bindings)} ACL changes in {TIMEOUT}s")
        time.sleep(0.2)


def _create_topic(admin: AdminClient, settings: ServiceSettings, name: str) -> bool:
    """The tenant's topic shaped as the jobs topic (partitions, retention, min ISR); False if it existed."""
    names = settings.topics
    [jobs] = [s for s in topic_specs(names, settings.topic_partitions, settings.topic_min_insync_replicas)
              if s.name == names.jobs]
    topic = NewTopic(name, jobs.partitions, settings.topic_replication_factor, config=jobs.config)
    try:
        admin.create_topics([topic], operation_timeout=TIMEOUT)[name].result(TIMEOUT)
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise
        return False
    return True


def grant(admin: AdminClient, settings: ServiceSettings, tenant: str, principal: str) -> list[str]:
    """Create the tenant's topic and ACLs (idempotent); the lines to print."""
    name = tenant_topic(settings.topics.jobs, tenant)
    created = _create_topic(admin, settings, name)
    bindings = tenant_acls(settings.topics, tenant, principal)
    for future in admin.create_acls(bindings, request_timeout=TIMEOUT).values():
        future.result(TIMEOUT)
    _await_acls(admin, bindings, present=True)
    return [f"topic {name} {'created' if created else 'exists'}", *map(describe, bindings)]


def revoke(admin: AdminClient, settings: ServiceSettings, tenant: str, principal: str,
           delete_topic: bool = False) -> list[str]:
    """Delete the tenant's ACLs (and its topic, if asked: unforwarded jobs on it are lost)."""
    filters = [AclBindingFilter(b.restype, b.name, b.resource_pattern_type, b.principal, b.host,
                                b.operation, b.permission_type)
               for b in tenant_acls(settings.topics, tenant, principal)]
    removed = [binding for future in admin.delete_acls(filters, request_timeout=TIMEOUT).values()
               for binding in future.result(TIMEOUT)]
    _await_acls(admin, removed, present=False)
    lines = [f"removed {len(removed)} ACLs of {principal} for tenant {tenant}"]
    if delete_topic:
        name = tenant_topic(settings.topics.jobs, tenant)
        admin.delete_topics([name], operation_timeout=TIMEOUT)[name].result(TIMEOUT)
        lines.append(f"topic {name} deleted")
    return lines


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sqllint-admin kafka", description="Map an outside producer's Kafka principal to a tenant."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("grant-tenant", "revoke-tenant"):
        sub = commands.add_parser(command)
        sub.add_argument("--tenant", required=True, help="the tenant's name ([a-z0-9][a-z0-9_-]*)")
        sub.add_argument("--principal", required=True, help="the producer's Kafka principal, User:NAME")
        if command == "revoke-tenant":
            sub.add_argument("--delete-topic", action="store_true", help="also delete the tenant's topic")
    args = parser.parse_args(argv)
    if not TENANT.match(args.tenant):
        parser.error(f"--tenant {args.tenant!r}: lower-case letters, digits, _ and -, at most 63")
    if not PRINCIPAL.match(args.principal):
        parser.error(f"--principal {args.principal!r}: one user, User:NAME (never User:*)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Grant or revoke; 0 when done, 1 when the brokers refused (the message on stderr)."""
    args = _arguments(argv)
    settings = load_settings(ServiceSettings)
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap_servers,
                         **kafka_security(settings).confluent()})
    try:
        if args.command == "grant-tenant":
            lines = grant(admin, settings, args.tenant, args.principal)
        else:
            lines = revoke(admin, settings, args.tenant, args.principal, args.delete_topic)
    except KafkaException as exc:
        print(f"sqllint-admin kafka {args.command}: {exc.args[0].str()}", file=sys.stderr)
        return 1
    except TimeoutError as exc:
        print(f"sqllint-admin kafka {args.command}: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
