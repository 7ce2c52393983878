"""``sqllint-admin kafka``: the tenant's ACL set, its refusals of bad names, and a broker without ACLs.

The grant and revoke themselves run against the secured broker in
tests/runtime/test_kafka_security.py (its one broker start).
"""

import os
import subprocess
import sys
import uuid

import pytest
from confluent_kafka.admin import AclOperation, AdminClient, ResourcePatternType, ResourceType

from admin.kafka_tenants import describe, group_prefix, tenant_acls
from schemas.tenant_topics import tenant_topic
from schemas.topics import TopicNames


def _kafka(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "admin", "kafka", *args]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=90, check=False)


def test_a_tenant_writes_its_topic_and_reads_results_and_its_groups_only() -> None:
    topics = TopicNames()
    granted = tenant_acls(topics, "acme", "User:p")
    acls = {(a.restype, a.name, a.resource_pattern_type, a.operation) for a in granted}
    topic, group = ResourceType.TOPIC, ResourceType.GROUP
    literal, prefixed = ResourcePatternType.LITERAL, ResourcePatternType.PREFIXED
    own, results = "sqllint.jobs.v1.tenant.acme", "sqllint.lint-results.v1"
    assert acls == {
        (topic, own, literal, AclOperation.WRITE),
        (topic, own, literal, AclOperation.DESCRIBE),
        (topic, results, literal, AclOperation.READ),
        (topic, results, literal, AclOperation.DESCRIBE),
        (group, "sqllint-tenant-acme-", prefixed, AclOperation.READ),
    }
    assert all(a.principal == "User:p" and a.host == "*" for a in tenant_acls(topics, "acme", "User:p"))
    # The group prefix ends with a dash: tenant "acme" cannot use the groups of tenant "acme2".
    assert not f"{group_prefix('acme2')}x".startswith(group_prefix("acme"))
    assert describe(tenant_acls(topics, "acme", "User:p")[0]) == (
        "allow User:p WRITE TOPIC sqllint.jobs.v1.tenant.acme (LITERAL)"
    )


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--tenant", "Acme", "--principal", "User:p"], "--tenant 'Acme'"),
        (["--tenant", "a.b", "--principal", "User:p"], "--tenant 'a.b'"),
        (["--tenant", "acme", "--principal", "User:*"], "never User:*"),
        (["--tenant", "acme", "--principal", "acme"], "User:NAME"),
    ],
)
def test_bad_names_are_refused_before_any_broker_is_asked(args: list[str], complaint: str) -> None:
    answer = _kafka("grant-tenant", *args, env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    assert answer.returncode == 2
    assert complaint in answer.stderr


@pytest.mark.integration
def test_a_broker_without_an_authorizer_refuses_the_acls(kafka_bootstrap: str) -> None:
    jobs = f"test.{uuid.uuid4().hex[:10]}.jobs"
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPICS__JOBS": jobs, "TOPIC_PARTITIONS": "2"}
    try:
        answer = _kafka("grant-tenant", "--tenant", "acme", "--principal", "User:p", env=env)
        assert answer.returncode == 1, answer.stdout
        assert answer.stderr.startswith("sqllint-admin kafka grant-tenant: ")
        assert "Authorizer" in answer.stderr or "SECURITY_DISABLED" in answer.stderr, answer.stderr
        assert "Traceback" not in answer.stderr
    finally:
        admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
        for future in admin.delete_topics([tenant_topic(jobs, "acme")]).values():
            future.result(30)
