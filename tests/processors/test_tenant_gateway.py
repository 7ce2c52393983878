"""The tenant gateway on the real broker: tenant topics in, the shared jobs topic (or dead letters) out."""

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka import Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from processors.app import make_faust_app
from processors.tenant_gateway import admit
from schemas.codec import decode, encode
from schemas.events import DeadLetter, ErrorInfo, JobRejected, JobSubmitted
from schemas.statuses import SubmissionType
from schemas.tenant_topics import tenant_job_id, tenant_pattern, tenant_topic
from schemas.topics import TopicNames
from tests.processors.conftest import SettingsFactory
from tests.processors.kafka_helpers import consume_messages

TENANTS = ("acme", "globex")


def _job(tenant: str | None = None) -> JobSubmitted:
    return JobSubmitted(
        job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE, sql_content="select 1\n",
        tenant=tenant,
    )


def test_admit_stamps_the_topics_tenant_and_refuses_another() -> None:
    sent = _job()
    stamped = admit(encode(sent), "acme")
    assert isinstance(stamped, JobSubmitted) and stamped.tenant == "acme"
    assert b'"tenant":"acme"' in encode(stamped)
    # The id is scoped by the tenant: one id sent by two tenants is two jobs, neither the id sent.
    other = admit(encode(sent), "globex")
    assert isinstance(other, JobSubmitted)
    assert len({sent.job_id, stamped.job_id, other.job_id}) == 3
    assert stamped.job_id == tenant_job_id("acme", sent.job_id)
    assert isinstance(admit(encode(_job("acme")), "acme"), JobSubmitted)
    mismatch = admit(encode(_job("globex")), "acme")
    assert isinstance(mismatch, ErrorInfo) and mismatch.code == "TENANT_MISMATCH"
    garbage = admit(b"{not json", "acme")
    assert isinstance(garbage, ErrorInfo) and garbage.code == "UNDECODABLE_EVENT"


def test_the_pattern_matches_tenant_topics_only() -> None:
    pattern = re.compile(tenant_pattern("sqllint.jobs.v1"))
    assert tenant_topic("sqllint.jobs.v1", "acme") == "sqllint.jobs.v1.tenant.acme"
    assert pattern.match("sqllint.jobs.v1.tenant.acme")
    assert pattern.match("sqllint.jobs.v1.tenant.team_b-2")
    others = ("sqllint.jobs.v1", "sqllint.jobs.v1.tenant.", "sqllint.jobs.v1.tenant.Acme",
              "sqllint.jobs.v1.tenant.a.b", "sqllintXjobs.v1.tenant.acme", "sqllint.jobs.v10.tenant.acme")
    for other in others:
        assert not pattern.match(other), other


@pytest.fixture
def tenant_topics(kafka_bootstrap: str, topic_names: TopicNames) -> Iterator[dict[str, str]]:
    """``<jobs>.tenant.acme`` and ``...globex`` on the shared broker, deleted after."""
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    names = {tenant: tenant_topic(topic_names.jobs, tenant) for tenant in TENANTS}
    for future in admin.create_topics([NewTopic(n, 2, 1) for n in names.values()]).values():
        future.result(30)
    yield names
    for future in admin.delete_topics(list(names.values())).values():
        future.result(30)


@pytest.mark.integration
@pytest.mark.timeout(180)
async def test_tenant_topics_reach_the_jobs_topic_stamped_or_the_dead_letters(
    kafka_bootstrap: str, topic_names: TopicNames, tenant_topics: dict[str, str],
    pipeline_settings: SettingsFactory,
) -> None:
    plain, named, forged, garbage_id = _job(), _job("globex"), _job("acme"), uuid.uuid4()
    garbage = f'{{"event_type": "job.submitted", "schema_version": 1, "job_id": "{garbage_id}"}}'.encode()
    app = make_faust_app(pipeline_settings(lint_workers=1))
    await app.start()
    try:
        producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
        producer.produce(tenant_topics["acme"], encode(plain), str(plain.job_id).encode())
        producer.produce(tenant_topics["globex"], encode(named), str(named.job_id).encode())
        producer.produce(tenant_topics["globex"], encode(forged), str(forged.job_id).encode())  # names acme
        producer.produce(tenant_topics["acme"], garbage, str(garbage_id).encode())
        producer.produce(tenant_topics["acme"], b"\xff not json", b"noise")
        assert producer.flush(30) == 0
        jobs, letters, progress = await asyncio.gather(  # threads: the app's loop must keep running
            asyncio.to_thread(consume_messages, kafka_bootstrap, topic_names.jobs, _at_least(2), 120),
            asyncio.to_thread(consume_messages, kafka_bootstrap, topic_names.dead_letter, _at_least(3), 120),
            asyncio.to_thread(consume_messages, kafka_bootstrap, topic_names.progress, _at_least(4), 120),
        )
        # A tenant granted while the gateway runs is read without a restart (the pattern is re-evaluated).
        newcomer, started = _job(), time.monotonic()
        late = await asyncio.to_thread(_late_tenant, kafka_bootstrap, topic_names, newcomer)
        waited = time.monotonic() - started
    finally:
        await app.stop()
        initech = tenant_topic(topic_names.jobs, "initech")
        admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
        admin.delete_topics([initech])[initech].exception(30)  # gone, or never made: either is fine

    assert late.tenant == "initech" and late.job_id == tenant_job_id("initech", newcomer.job_id)
    assert waited < 40, f"a new tenant's topic was read after {waited:.0f}s"

    accepted = {job.job_id: job for job in (decode(m.value(), JobSubmitted) for m in jobs)}
    plain_id, named_id = tenant_job_id("acme", plain.job_id), tenant_job_id("globex", named.job_id)
    assert set(accepted) == {plain_id, named_id}
    assert (accepted[plain_id].tenant, accepted[named_id].tenant) == ("acme", "globex")
    assert accepted[plain_id].model_copy(update={"tenant": None, "job_id": plain.job_id}) == plain
    assert [m.key() for m in jobs if decode(m.value(), JobSubmitted).job_id == plain_id] == [
        str(plain_id).encode()
    ]
    parked = {letter.error.code: letter for letter in (decode(m.value(), DeadLetter) for m in letters)}
    assert set(parked) == {"TENANT_MISMATCH", "INVALID_EVENT", "UNDECODABLE_EVENT"}
    assert parked["UNDECODABLE_EVENT"].payload == "\ufffd not json"
    assert parked["TENANT_MISMATCH"].source_topic == tenant_topics["globex"]
    assert "'acme'" in parked["TENANT_MISMATCH"].error.message
    assert parked["INVALID_EVENT"].source_topic == tenant_topics["acme"]
    # A tenant topic's job id is only the producer's claim: nothing is ever rejected in its name.
    rejected = {e.job_id for m in progress if isinstance(e := _event(m.value()), JobRejected)}
    assert not rejected & {garbage_id, forged.job_id}


def _late_tenant(bootstrap: str, topic_names: TopicNames, job: JobSubmitted) -> JobSubmitted:
    """Create ``<jobs>.tenant.initech`` now, write ``job`` to it, and return it as the jobs topic shows it."""
    topic = tenant_topic(topic_names.jobs, "initech")
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept: its futures die with it
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topic, encode(job), str(job.job_id).encode())
    assert producer.flush(30) == 0

    scoped = tenant_job_id("initech", job.job_id)

    def arrived(got: list[Message]) -> bool:
        return any(decode(m.value(), JobSubmitted).job_id == scoped for m in got)

    found = consume_messages(bootstrap, topic_names.jobs, arrived, 120)
    return next(j for j in (decode(m.value(), JobSubmitted) for m in found) if j.job_id == scoped)


def _at_least(count: int) -> Callable[[list[Message]], bool]:
    return lambda got: len(got) >= count


def _event(raw: bytes) -> object:
    try:
        return decode(raw, JobRejected)
    except Exception:  # the other progress events of the two accepted jobs
        return None
