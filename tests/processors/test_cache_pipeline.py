"""The shared cache through the real app and broker: a resubmitted ZIP is answered from the cache."""

import asyncio
import uuid
import zipfile
from pathlib import Path

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource

from processors.app import make_faust_app
from processors.cache_reader import CacheReader
from processors.lint_cache import LintCache
from schemas.codec import decode, encode
from schemas.events import JobSubmitted, LintOptions, LintResult
from schemas.statuses import SubmissionType, TaskStatus
from schemas.topics import TopicNames
from tests.processors.conftest import SettingsFactory
from tests.processors.kafka_helpers import consume_until

pytestmark = pytest.mark.integration

FILES = {
    "a.sql": "select a,b from t\n",
    "nested/b.sql": "with cte as (\n    select x from u)\nselect * from cte\n",  # LT07
    "c.sql": "SELECT x FROM u WHERE y=1\n",
    "big.sql": "select c  from v join w on v.id=w.id\n" * 8,  # over inline_max_bytes: by path
}
OPTIONS = LintOptions(dialect="ansi", exclude_rules=("AM04",))


def _zip_job(root: Path, files: dict[str, str]) -> JobSubmitted:
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip"
    (root / relpath).parent.mkdir(parents=True)
    with zipfile.ZipFile(root / relpath, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    options = LintOptions(dialect="ansi", exclude_rules=("AM04",))
    return JobSubmitted(
        job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE, storage_path=relpath, options=options
    )


async def _run(bootstrap: str, topics: TopicNames, job: JobSubmitted) -> dict[str, LintResult]:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topics.jobs, encode(job), str(job.job_id).encode())
    assert producer.flush(30) == 0

    def done(raw: list[bytes]) -> bool:
        return sum(decode(r, LintResult).job_id == job.job_id for r in raw) >= len(FILES)

    raw = await asyncio.to_thread(consume_until, bootstrap, topics.lint_results, done)
    results = [r for r in (decode(r, LintResult) for r in raw) if r.job_id == job.job_id]
    return {r.file_name: r for r in results}


def _cache_topic_policy(bootstrap: str, topic: str) -> str:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    [future] = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)]).values()
    return str(future.result(30)["cleanup.policy"].value)


async def test_resubmitted_zip_is_answered_from_the_cache(
    kafka_bootstrap: str,
    topic_names: TopicNames,
    unique_id: str,
    tmp_path: Path,
    pipeline_settings: SettingsFactory,
) -> None:
    assert topic_names.lint_cache == topic_names.tasks.replace("tasks", "lint-cache")
    settings = pipeline_settings(inline_max_bytes=200)
    changed = {**FILES, "c.sql": "SELECT x FROM u WHERE y = 2\n"}
    app = make_faust_app(settings)
    await app.start()
    try:
        first = await _run(kafka_bootstrap, topic_names, _zip_job(tmp_path, FILES))
        second = await _run(kafka_bootstrap, topic_names, _zip_job(tmp_path, FILES))
        third = await _run(kafka_bootstrap, topic_names, _zip_job(tmp_path, changed))
    finally:
        await app.stop()

    assert sorted(first) == sorted(second) == sorted(third) == sorted(FILES)
    assert all(r.status is TaskStatus.SUCCESS and not r.cached for r in first.values())
    assert "LT07" in {v.code for v in first["nested/b.sql"].violations}
    for name, fresh in first.items():
        hit = second[name]
        assert hit.cached is True
        assert (hit.status, hit.violations, hit.sqlfluff_version) == (
            fresh.status,
            fresh.violations,
            fresh.sqlfluff_version,
        )
        assert (hit.task_id, hit.job_id) != (fresh.task_id, fresh.job_id)
    assert [name for name, r in third.items() if not r.cached] == ["c.sql"]
    assert third["c.sql"].violations != first["c.sql"].violations

    # Another worker starting now loads every entry from the compacted topic (entries unused for
    # TOPIC_CACHE_RETENTION_DAYS age out: compact,delete).
    assert _cache_topic_policy(kafka_bootstrap, topic_names.lint_cache) == "compact,delete"
    cache = LintCache(100)
    reader = CacheReader(kafka_bootstrap, topic_names.lint_cache, cache)
    reader.start()
    try:
        assert await asyncio.to_thread(reader.caught_up.wait, 60)
    finally:
        reader.stop()
        await asyncio.to_thread(reader.join)
    for name, text in changed.items():
        entry = cache.get(cache.key_for(text, OPTIONS))
        assert entry is not None
        assert entry.violations == third[name].violations
    assert len(cache) == len(FILES) + 1
