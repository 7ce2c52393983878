"""Under exactly_once, a processors process killed mid-run and started again delivers each result once.

The reader is what a downstream consumer runs: ``read_committed`` on lint-results,
from the beginning. Under at_least_once the same kill re-delivers the results
linted since the last commit (81 in the kill-worker scenario); here every task's
result is counted, and each exactly once, across the SIGKILL, the group's
rebalance and the new process fencing the old one's producers.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from harness.settings import StackSettings, environment
from schemas.codec import decode, encode
from schemas.events import JobSubmitted, LintResult
from schemas.statuses import SubmissionType
from schemas.topics import TopicNames

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
FILES = 300
ROOT = Path(__file__).resolve().parents[2]


def _zip_job(storage: Path) -> JobSubmitted:
    job_id = uuid.uuid4()
    relpath = f"jobs/{job_id}/upload.zip"
    (storage / relpath).parent.mkdir(parents=True)
    with zipfile.ZipFile(storage / relpath, "w") as zf:
        for n in range(FILES):  # distinct files: each one is linted, none answered by the cache
            zf.writestr(f"f{n:03d}.sql", f"select a,b  from t{n}\njoin u on t{n}.x=u.x\n")
    return JobSubmitted(job_id=job_id, submission_type=SubmissionType.ZIP_ARCHIVE, storage_path=relpath)


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        command = [sys.executable, "-m", "processors"]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


class _Reader:
    """A downstream consumer of lint-results: read_committed, from the beginning, never committing."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4()}",
            "auto.offset.reset": "earliest", "isolation.level": "read_committed", "enable.auto.commit": False,
        })
        self._consumer.subscribe([topic])
        self.seen: Counter[uuid.UUID] = Counter()

    def read_until(self, done: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while sum(self.seen.values()) < done and time.monotonic() < deadline:
            msg = self._consumer.poll(0.2)
            if msg is not None and msg.error() is None:
                self.seen[decode(msg.value(), LintResult).task_id] += 1

    def close(self) -> None:
        self._consumer.close()


def test_sigkill_mid_run_then_restart_yields_one_result_per_task(
    kafka_bootstrap: str, topic_names: TopicNames, unique_id: str, tmp_path: Path
) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    stack = StackSettings(
        kafka=kafka_bootstrap, database_url="sqlite://", workdir=tmp_path, storage=storage,
        topics=topic_names, group=f"eos-{unique_id}",
        env={"PROCESSORS_PROCESSING_GUARANTEE": "exactly_once", "PROCESSORS_LINT_WORKERS": "2",
             "PROCESSORS_CACHE_ENABLED": "false", "PROCESSORS_FAUST_DATADIR": str(tmp_path / "faust"),
             "PROCESSORS_METRICS_PORT": "0"},
    )
    env = environment(stack, os.environ)
    job = _zip_job(storage)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
    producer.produce(topic_names.jobs, encode(job), str(job.job_id).encode())
    assert producer.flush(30) == 0
    reader, log = _Reader(kafka_bootstrap, topic_names.lint_results), tmp_path / "processors.log"
    first = _start(env, log)
    try:
        reader.read_until(FILES // 4, 90)
        assert sum(reader.seen.values()) >= FILES // 4, log.read_text()[-3000:]
        first.send_signal(signal.SIGKILL)  # mid-run: transactions open, results linted but not committed
        first.wait(10)
        second = _start(env, log)
        try:
            reader.read_until(FILES, 200)
            reader.read_until(FILES + 1, 8)  # anything delivered again would show up by now
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(60)
    finally:
        if first.poll() is None:
            first.kill()
        reader.close()
    assert len(reader.seen) == FILES, log.read_text()[-3000:]
    assert [task for task, count in reader.seen.items() if count > 1] == []
