"""The processors app end to end against the real broker: a ZIP job in, one lint result per file out."""

import asyncio
import json
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlfluff
from confluent_kafka import Consumer, Producer

from processors.app import make_faust_app
from schemas.codec import decode, encode
from schemas.events import (
    DeadLetter,
    JobExpanded,
    JobRejected,
    JobSubmitted,
    LintOptions,
    LintResult,
    TaskRegistered,
    TaskStarted,
)
from schemas.statuses import SubmissionType, TaskStatus
from schemas.topics import TopicNames
from tests.processors.conftest import SettingsFactory

pytestmark = pytest.mark.integration

FILES = {
    "ansi/a.sql": "select a,b from t\n",
    "ansi/nested/b.sql": "SELECT x FROM u WHERE y=1\n",
    "mysql/c.sql": "select c  from v join w on v.id=w.id\n" * 8,  # over inline_max_bytes: by path
    "bad/binary.sql": "\x00\x01",
}


def _consume(bootstrap: str, topic: str, group: str, count: int) -> list[bytes]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    received: list[bytes] = []
    try:
        for _ in range(200):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(msg.value())
            if len(received) >= count:
                break
    finally:
        consumer.close()
    return received


def _write_zip(root: Path, job_id: uuid.UUID) -> str:
    relpath = f"jobs/{job_id}/upload.zip"
    (root / relpath).parent.mkdir(parents=True)
    with zipfile.ZipFile(root / relpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in FILES.items():
            zf.writestr(name, text.encode())
    return relpath


def _positions(violations: list[dict[str, object]]) -> list[tuple[object, ...]]:
    kept = (v for v in violations if v["code"] != "LT07")  # LT07 positions depend on the hash seed
    return sorted((v["code"], v["start_line_no"], v["start_line_pos"]) for v in kept)


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
async def test_zip_job_yields_one_result_per_file_matching_sqlfluff(
    guarantee: str,
    kafka_bootstrap: str,
    topic_names: TopicNames,
    unique_id: str,
    tmp_path: Path,
    pipeline_settings: SettingsFactory,
) -> None:
    # The bulk lane: a job this small would take the express lane (tests/processors/test_express_lane.py).
    # exactly_once: expansion and lints commit in transactions; the readers (librdkafka's default
    # isolation level) see only committed events, so the same counts prove nothing is lost.
    settings = pipeline_settings(inline_max_bytes=200, express_max_files=0, processing_guarantee=guarantee)
    job_id = uuid.uuid4()
    job = JobSubmitted(
        job_id=job_id,
        submission_type=SubmissionType.ZIP_ARCHIVE,
        storage_path=_write_zip(tmp_path, job_id),
        options=LintOptions(dialect="mysql"),
    )
    bad_job_id = uuid.uuid4()
    app = make_faust_app(settings)
    await app.start()
    try:
        producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
        producer.produce(topic_names.jobs, encode(job), str(job_id).encode())
        garbage = json.dumps({"event_type": "job.submitted", "schema_version": 1, "job_id": str(bad_job_id)})
        producer.produce(topic_names.jobs, garbage.encode(), str(bad_job_id).encode())
        assert producer.flush(30) == 0
        results_raw, progress_raw, letters_raw = await asyncio.gather(
            asyncio.to_thread(_consume, kafka_bootstrap, topic_names.lint_results, f"r-{unique_id}", 4),
            asyncio.to_thread(_consume, kafka_bootstrap, topic_names.progress, f"p-{unique_id}", 6),
            asyncio.to_thread(_consume, kafka_bootstrap, topic_names.dead_letter, f"d-{unique_id}", 1),
        )
    finally:
        await app.stop()

    results = {r.file_name: r for r in (decode(raw, LintResult) for raw in results_raw)}
    assert sorted(results) == sorted(FILES)
    assert all(r.job_id == job_id and r.dialect == "mysql" for r in results.values())
    assert len({r.task_id for r in results.values()}) == 4
    for name, text in FILES.items():
        if name == "bad/binary.sql":
            continue
        assert results[name].status is TaskStatus.SUCCESS
        assert results[name].sqlfluff_version == sqlfluff.__version__
        ours = [v.model_dump() for v in results[name].violations]
        assert ours
        assert _positions(ours) == _positions(sqlfluff.lint(text, dialect="mysql"))
    assert results["bad/binary.sql"].status is TaskStatus.FAILURE
    assert results["bad/binary.sql"].error is not None
    assert results["bad/binary.sql"].error.code == "NOT_TEXT"

    progress = [decode(raw, JobExpanded, JobRejected, TaskRegistered, TaskStarted) for raw in progress_raw]
    expanded = [p for p in progress if isinstance(p, JobExpanded)]
    assert [(e.job_id, e.task_count) for e in expanded] == [(job_id, 4)]
    started = {p.task_id for p in progress if isinstance(p, TaskStarted)}
    assert started == {r.task_id for r in results.values() if r.file_name != "bad/binary.sql"}
    registered = [(p.task_id, p.ordinal) for p in progress if isinstance(p, TaskRegistered)]
    assert registered == [(results["bad/binary.sql"].task_id, 3)]
    [letter] = [decode(raw, DeadLetter) for raw in letters_raw]
    assert letter.source_topic == topic_names.jobs
    assert letter.error.code == "INVALID_EVENT"
    rejected = [p for p in progress if isinstance(p, JobRejected)]
    assert [r.job_id for r in rejected] == [bad_job_id]
