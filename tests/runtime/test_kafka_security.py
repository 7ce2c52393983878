"""Kafka security against a real secured broker: SCRAM-SHA-512 over TLS, a CA made here, and ACLs.

One private broker (``harness.secure_kafka``, from the same jars as the shared one) runs for
the module; the admin creates the topics and the ACL table of docs/security.md, and grants the
outside producer ``outsider`` the tenant ``acme`` with ``sqllint-admin kafka grant-tenant``. The
services, each logged in as its own principal, lint a job end to end over SASL_SSL, and the
outsider's job, written to its tenant topic, arrives in the database as tenant acme; the
outsider may write its own tenant topic and read results and nothing else, and the broker
itself refuses the rest; a wrong password is KAFKA_UNAVAILABLE at the ingest's edge, never a
5xx with a stack.
"""

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Message, Producer
from sqlalchemy import create_engine, select

from admin.kafka_tenants import describe, tenant_acls
from harness.oracle import comparable, sqlfluff_says
from harness.readiness import wait_http
from harness.secure_kafka import ADMIN, SecureBroker, secure_broker
from harness.stack import new_stack
from ingest.producer import KafkaPublisher
from runtime.kafka_admin import KafkaUnavailableError, ensure_topics
from runtime.kafka_security import kafka_security
from runtime.settings import ServiceSettings, load_settings
from runtime.tables import jobs as linting_jobs
from schemas.codec import decode, encode
from schemas.error_codes import ErrorCode
from schemas.events import JobSubmitted, SubmissionType
from schemas.tenant_topics import tenant_job_id, tenant_topic
from tests.runtime.secure_stack import (
    NO_API_KEYS,
    TOPICS,
    admin_command,
    login_env,
    prepare,
    secure_stack,
    stack_settings,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]
MESSY_SQL = "select a,b from t where x=1;\n"
FINAL = ("COMPLETED", "PARTIALLY_COMPLETED", "FAILED")
USERS = ("ingest", "processors", "sink", "outsider")


ACME, GLOBEX = tenant_topic(TOPICS.jobs, "acme"), tenant_topic(TOPICS.jobs, "globex")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """The secured broker with the four principals, its topics and its ACLs; outsider is tenant acme."""
    with secure_broker(tmp_path_factory.mktemp("secure-kafka"), USERS) as b:
        prepare(b)
        granted = admin_command(b, "grant-tenant", "--tenant", "acme", "--principal", "User:outsider")
        assert granted.returncode == 0, granted.stderr
        assert granted.stdout.splitlines() == [f"topic {ACME} created"] + [
            describe(binding) for binding in tenant_acls(TOPICS, "acme", "User:outsider")
        ]
        # Another tenant's topic exists, with a principal that has no password here.
        other = admin_command(b, "grant-tenant", "--tenant", "globex", "--principal", "User:globex")
        assert other.returncode == 0, other.stderr
        yield b


def _client(broker: SecureBroker, user: str, **config: object) -> dict[str, object]:
    return {"bootstrap.servers": broker.bootstrap, **broker.security(user).confluent(), **config}


def _produce(broker: SecureBroker, user: str, topic: str, value: bytes = b"v") -> KafkaError | None:
    """The broker's answer to one message from ``user`` on ``topic`` (None: acknowledged)."""
    answers: list[KafkaError | None] = []
    producer = Producer(_client(broker, user, **{"delivery.timeout.ms": 15000}))
    producer.produce(topic, key=b"k", value=value, on_delivery=lambda err, _msg: answers.append(err))
    producer.flush(20)
    return answers[0]


def _first(broker: SecureBroker, user: str, topic: str, timeout: float = 20, group: str = "") -> Message:
    """The first message (or the first error) ``user`` gets from ``topic``, in a group of its own."""
    group = {"group.id": group or f"{user}-{uuid.uuid4().hex}", "enable.auto.commit": False}
    consumer = Consumer(_client(broker, user, **group, **{"auto.offset.reset": "earliest"}))
    consumer.subscribe([topic])
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = consumer.poll(1)
            if message is not None:
                return message
        raise TimeoutError(f"nothing from {topic} for {user} in {timeout}s")
    finally:
        consumer.close()


def test_settings_become_each_librarys_form(monkeypatch: pytest.MonkeyPatch) -> None:
    assert kafka_security(ServiceSettings()).confluent() == {"security.protocol": "PLAINTEXT"}
    assert kafka_security(ServiceSettings()).faust() == {}
    for name, value in {"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME": "ingest"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:  # a SASL protocol without a password stops the service
        load_settings(ServiceSettings)
    assert exited.value.code == 2
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "pw")
    security = kafka_security(load_settings(ServiceSettings))
    assert security.confluent() == {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
                                    "sasl.username": "ingest", "sasl.password": "pw"}
    assert security.aiokafka()["sasl_plain_username"] == "ingest"
    assert "pw" not in repr(security)
    credentials = security.faust()["broker_credentials"]
    assert (credentials.protocol.value, credentials.mechanism.value) == ("SASL_PLAINTEXT", "SCRAM-SHA-512")


def test_outside_producer_may_write_its_tenant_topic_and_read_results_only(broker: SecureBroker) -> None:
    assert _produce(broker, "outsider", ACME) is None
    for topic in (GLOBEX, TOPICS.jobs, TOPICS.lint_results, TOPICS.lint_cache):
        refused = _produce(broker, "outsider", topic)
        assert refused is not None, topic
        assert refused.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, (topic, refused)

    assert _produce(broker, "processors", TOPICS.lint_results) is None
    result = _first(broker, "outsider", TOPICS.lint_results, group="sqllint-tenant-acme-results")
    assert result.error() is None and result.value() == b"v"
    refused = _first(broker, "outsider", TOPICS.tasks, group="sqllint-tenant-acme-tasks")
    assert refused.error() is not None and refused.error().code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    foreign = _first(broker, "outsider", TOPICS.lint_results, group="sqllint-tenant-globex-results")
    assert foreign.error() is not None and foreign.error().code() == KafkaError.GROUP_AUTHORIZATION_FAILED
    # The ingest's principal cannot forge a result either: only the processors write them.
    ingest = _produce(broker, "ingest", TOPICS.lint_results)
    assert ingest is not None and ingest.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED


async def test_a_wrong_password_is_kafka_unavailable(broker: SecureBroker) -> None:
    wrong = broker.security("ingest", password="not-the-password")
    publisher = KafkaPublisher(broker.bootstrap, TOPICS, 3000, security=wrong)
    await publisher.start()
    job = JobSubmitted(job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE, sql_content="x")
    try:
        with pytest.raises(KafkaUnavailableError) as refused:
            await publisher.publish(job)
    finally:
        await publisher.close()
    assert refused.value.code is ErrorCode.KAFKA_UNAVAILABLE
    with pytest.raises(KafkaUnavailableError):
        ensure_topics(broker.bootstrap, TOPICS, timeout=5, security=wrong)


def test_an_ingest_with_a_wrong_password_answers_503(broker: SecureBroker, tmp_path: Path) -> None:
    settings = stack_settings(broker, tmp_path, pipeline=False)
    stack = new_stack(settings)
    try:
        stack.start("ingest", "ingest", INGEST_KAFKA_DELIVERY_TIMEOUT_MS="3000",
                    **login_env(broker, "ingest", password="wrong"), **NO_API_KEYS)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = stack.request("GET", "/health/live")
                break
            except OSError:
                stack.assert_alive()
                assert time.monotonic() < deadline, "the ingest never listened"
                time.sleep(0.2)
        status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": MESSY_SQL, "dialect": "ansi"})
        assert (status, body["error"]["code"]) == (503, "KAFKA_UNAVAILABLE"), body
        assert "Traceback" not in str(body)
    finally:
        stack.stop_all()


@pytest.mark.timeout(240)
def test_the_services_lint_a_job_over_sasl_ssl_as_their_own_principals(
    broker: SecureBroker, tmp_path: Path
) -> None:
    with secure_stack(broker, tmp_path) as stack:
        status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": MESSY_SQL, "file_name": "m.sql"})
        assert status == 202, body
        job = stack.wait_job(body["job_id"], timeout=60)
        assert job["job_status"] == "COMPLETED", job
        [task] = job["tasks"]
        status, result = stack.request("GET", f"/api/v1/tasks/{task['task_id']}/result")
        assert status == 200, result
        assert comparable(result["violations"]) == sqlfluff_says(MESSY_SQL)
        wait_http(stack, 5)  # the ingest's readiness (a metadata request as ingest) still passes

        # The outsider's jobs: its own is linted as tenant acme; one naming globex never reaches the pipeline.
        own, forged = _outside_job(), _outside_job(tenant="globex")
        for job in (own, forged):
            assert _produce(broker, "outsider", ACME, encode(job)) is None
        runs_as = tenant_job_id("acme", own.job_id)  # its tenant-scoped id: no tenant can name another's job
        assert _job_row(stack.settings.database_url, runs_as, timeout=60) == ("acme", "COMPLETED")
        forwarded = _jobs_on_shared_topic(broker, until=runs_as)
        assert forwarded[runs_as].tenant == "acme"
        assert not {forged.job_id, tenant_job_id("acme", forged.job_id)} & set(forwarded)
        assert _job_row(stack.settings.database_url, tenant_job_id("acme", forged.job_id), timeout=1) is None


def _outside_job(tenant: str | None = None) -> JobSubmitted:
    return JobSubmitted(job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE,
                        sql_content=MESSY_SQL, file_name="outside.sql", tenant=tenant)


def _job_row(database_url: str, job_id: uuid.UUID, timeout: float) -> tuple[str, str] | None:
    """(tenant, status) of the job once final in the sink's database; None if it never appears."""
    engine = create_engine(database_url)
    query = select(linting_jobs.c.tenant, linting_jobs.c.status).where(linting_jobs.c.job_id == str(job_id))
    deadline, row = time.monotonic() + timeout, None
    try:
        while time.monotonic() < deadline and (row is None or row[1] not in FINAL):
            with engine.connect() as connection:
                row = connection.execute(query).first()
            time.sleep(0.5)
    finally:
        engine.dispose()
    return None if row is None else (row[0], row[1])


def _jobs_on_shared_topic(broker: SecureBroker, until: uuid.UUID) -> dict[uuid.UUID, JobSubmitted]:
    """The shared jobs topic read as the admin, from the start until job ``until``."""
    consumer = Consumer(_client(broker, ADMIN, **{"group.id": f"admin-{uuid.uuid4().hex}",
                                                  "auto.offset.reset": "earliest"}))
    consumer.subscribe([TOPICS.jobs])
    seen: dict[uuid.UUID, JobSubmitted] = {}
    try:
        deadline = time.monotonic() + 20
        while until not in seen and time.monotonic() < deadline:
            message = consumer.poll(1)
            if message is not None and message.error() is None:
                job = decode(message.value(), JobSubmitted)
                seen[job.job_id] = job
    finally:
        consumer.close()
    return seen


def test_a_revoked_tenant_can_no_longer_write(broker: SecureBroker) -> None:
    topic = tenant_topic(TOPICS.jobs, "initech")
    granted = admin_command(broker, "grant-tenant", "--tenant", "initech", "--principal", "User:outsider")
    assert granted.returncode == 0, granted.stderr
    assert _produce(broker, "outsider", topic) is None
    revoked = admin_command(broker, "revoke-tenant", "--tenant", "initech", "--principal", "User:outsider",
                            "--delete-topic")
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.splitlines() == ["removed 5 ACLs of User:outsider for tenant initech",
                                           f"topic {topic} deleted"]
    refused = _produce(broker, "outsider", topic)
    assert refused is not None and refused.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, refused
    # acme, granted to the same principal, is untouched.
    assert _produce(broker, "outsider", ACME) is None
