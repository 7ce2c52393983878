"""The express lane through the real app and broker: a one-line job is linted while a big ZIP waits."""

import asyncio
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from confluent_kafka import Message, Producer

from processors.app import make_faust_app
from schemas.codec import decode, encode
from schemas.events import JobSubmitted, LintOptions, LintResult, LintTask, TaskRegistered
from schemas.statuses import SubmissionType, TaskStatus
from schemas.topics import TopicNames
from tests.processors.conftest import SettingsFactory
from tests.processors.kafka_helpers import consume_messages

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

BULK_FILES = 200


def _zip_job(root: Path) -> JobSubmitted:
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip"
    (root / relpath).parent.mkdir(parents=True)
    with zipfile.ZipFile(root / relpath, "w") as zf:
        for n in range(BULK_FILES):
            zf.writestr(f"f{n:03d}.sql", f"select a,b  from t{n}\njoin u on t{n}.x=u.x\n")
    return JobSubmitted(job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE, storage_path=relpath,
                        tenant="team-a")


def _send(bootstrap: str, topic: str, job: JobSubmitted) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topic, encode(job), str(job.job_id).encode())
    assert producer.flush(30) == 0


def _results(bootstrap: str, topics: TopicNames, enough: int) -> list[Message]:
    return consume_messages(bootstrap, topics.lint_results, lambda got: len(got) >= enough, polls=1000)


async def test_a_one_line_job_overtakes_a_big_zips_backlog(
    kafka_bootstrap: str, topic_names: TopicNames, tmp_path: Path, pipeline_settings: SettingsFactory
) -> None:
    # One lint process: the bulk lane alone would keep it busy for the whole ZIP.
    settings = pipeline_settings(lint_workers=1, express_max_files=1, cache_enabled=False)
    big = _zip_job(tmp_path)
    small = JobSubmitted(job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE, file_name="one.sql",
                         sql_content="select 1  from t\n", options=LintOptions(), tenant="team-b")
    app = make_faust_app(settings)
    await app.start()
    try:
        await asyncio.to_thread(_send, kafka_bootstrap, topic_names.jobs, big)
        await asyncio.to_thread(_results, kafka_bootstrap, topic_names, 1)  # the ZIP is being linted
        sent = time.time()
        await asyncio.to_thread(_send, kafka_bootstrap, topic_names.jobs, small)
        messages = await asyncio.to_thread(_results, kafka_bootstrap, topic_names, BULK_FILES + 1)
        # Up to every event of both jobs: under exactly_once the registration is written at its
        # expansion's commit, behind more of the bulk files' task.started (sent at once, outside).
        progress = await asyncio.to_thread(
            consume_messages, kafka_bootstrap, topic_names.progress,
            lambda got: any(b"task.registered" in (m.value() or b"") for m in got), 4 * BULK_FILES)
        lane = await asyncio.to_thread(
            consume_messages, kafka_bootstrap, topic_names.express_tasks, lambda got: len(got) >= 1, 60)
    finally:
        await app.stop()

    results = [(m.timestamp()[1], decode(m.value(), LintResult)) for m in messages]
    [(small_at, small_result)] = [(at, r) for at, r in results if r.job_id == small.job_id]
    assert small_result.status is TaskStatus.SUCCESS
    bulk_after = sum(1 for at, r in results if r.job_id == big.job_id and at > small_at)
    # Linted within a file or two of being sent, not behind the ZIP's remaining ~199 files.
    assert bulk_after > BULK_FILES // 2, f"only {bulk_after} of the ZIP's files were linted after it"
    assert small_at / 1000 - sent < 10  # seconds from its job's message to its result, on a busy machine
    [task] = [decode(m.value(), LintTask) for m in lane]
    assert (task.job_id, task.tenant) == (small.job_id, "team-b")  # down the lane, with its tenant
    registered = [decode(m.value(), TaskRegistered) for m in progress if b"task.registered" in m.value()]
    assert [(r.task_id, r.ordinal, r.file_name) for r in registered] == [(task.task_id, 0, "one.sql")]
