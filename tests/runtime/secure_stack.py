"""The secured broker of the Kafka security tests, its ACLs, and a stack whose services log in to it.

Each service starts with its own principal (``KAFKA_SASL_USERNAME`` differs per process),
which the harness's one-environment stack cannot express: the services are started one
by one with an overlay. Outside producers' tenants are granted by the real
``sqllint-admin kafka grant-tenant`` command, run as the broker's admin.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka.admin import AdminClient

from harness.kafka_acls import create_acls, service_acls
from harness.readiness import wait_http
from harness.resources import free_port, sqlite_url
from harness.secure_kafka import ADMIN, SecureBroker
from harness.settings import StackSettings
from harness.stack import Stack, new_stack
from runtime.kafka_admin import ensure_topics
from schemas.topics import TopicNames
from sink.migrate import upgrade

TOPICS = TopicNames()  # the broker is private: the production names, as the ACL table spells them
SERVICES = ("ingest", "sink", "processors")
# Kafka's security is under test here, not the API's: callers act as the default tenant's submitter.
NO_API_KEYS = {"AUTH_REQUIRED": "false"}


def admin_client(broker: SecureBroker) -> AdminClient:
    """The super user's client: creates the ACLs."""
    return AdminClient({"bootstrap.servers": broker.bootstrap, **broker.security(ADMIN).confluent()})


def prepare(broker: SecureBroker) -> None:
    """Topics created by the admin (the services may only describe them), then every ACL of the table."""
    ensure_topics(broker.bootstrap, TOPICS, partitions=2, security=broker.security(ADMIN))
    create_acls(admin_client(broker), service_acls(TOPICS))


def admin_command(broker: SecureBroker, *args: str) -> subprocess.CompletedProcess[str]:
    """``sqllint-admin kafka ARGS`` (as ``python -m admin``) as the admin, with the production topic names."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, **login_env(broker, ADMIN),
           "TOPIC_PARTITIONS": "2"}
    return subprocess.run([sys.executable, "-m", "admin", "kafka", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def login_env(broker: SecureBroker, user: str, password: str | None = None) -> dict[str, str]:
    """The shared settings that make a service connect as ``user`` over SASL_SSL."""
    return {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": user,
        "KAFKA_SASL_PASSWORD": broker.passwords[user] if password is None else password,
        "KAFKA_SSL_CA_LOCATION": str(broker.ca),
    }


def stack_settings(broker: SecureBroker, workdir: Path, pipeline: bool = True) -> StackSettings:
    """A stack on SQLite against the secured broker, with the services' default group names."""
    database = sqlite_url(workdir / "sqllint.db")
    upgrade(database)
    return StackSettings(broker.bootstrap, database, workdir, storage=workdir / "storage",
                         topics=TOPICS, port=free_port(), pipeline=pipeline)


@contextmanager
def secure_stack(broker: SecureBroker, workdir: Path, timeout: float = 90) -> Iterator[Stack]:
    """The ingest (ready), the sink and one processor worker, each as its own principal; stopped on exit."""
    stack = new_stack(stack_settings(broker, workdir))
    try:
        for name in SERVICES:
            stack.start(name, name, **login_env(broker, name), **NO_API_KEYS)
        # New groups start at the earliest offset: a job sent before the workers joined is still linted.
        wait_http(stack, timeout)
        yield stack
    finally:
        stack.stop_all()
