"""A task that outlives its lint limit: FAILURE result, dead letter, and the partition flows on."""

import asyncio
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Message, Producer

from processors.app import make_faust_app
from schemas.codec import decode, encode
from schemas.events import DeadLetter, LintOptions, LintResult, LintTask
from schemas.statuses import TaskStatus
from schemas.topics import TopicNames
from tests.processors.conftest import SettingsFactory
from tests.processors.kafka_helpers import consume_until

pytestmark = pytest.mark.integration

# ~8000 statements: SQLFluff needs far longer than the 2 s limit below (about 3 ms a line here).
SLOW_SQL = "select a,b  from t join u on t.id=u.id where x = 1 and y=2;\n" * 8000


def _task(sql: str, ordinal: int) -> LintTask:
    job_id = uuid.uuid4()
    return LintTask(
        task_id=uuid.uuid4(),
        job_id=job_id,
        ordinal=ordinal,
        file_name=f"f{ordinal}.sql",
        sql_content=sql,
        size_bytes=len(sql),
        options=LintOptions(),
    )


def _produce_to_partition_zero(bootstrap: str, topic: str, tasks: list[LintTask]) -> list[Message]:
    delivered: list[Message] = []
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "message.max.bytes": 2_000_000})
    for task in tasks:
        producer.produce(
            topic,
            encode(task),
            str(task.task_id).encode(),
            partition=0,
            on_delivery=lambda err, msg: delivered.append(msg) if err is None else None,
        )
    assert producer.flush(30) == 0
    return delivered


async def test_timed_out_task_is_dead_lettered_and_the_next_one_is_linted(
    kafka_bootstrap: str,
    topic_names: TopicNames,
    unique_id: str,
    tmp_path: Path,
    pipeline_settings: SettingsFactory,
) -> None:
    settings = pipeline_settings(lint_timeout_seconds=2)
    slow, quick = _task(SLOW_SQL, 0), _task("select 1\n", 1)
    app = make_faust_app(settings)
    await app.start()
    try:
        delivered = _produce_to_partition_zero(kafka_bootstrap, topic_names.tasks, [slow, quick])
        results_raw, letters_raw = await asyncio.gather(
            asyncio.to_thread(
                consume_until, kafka_bootstrap, topic_names.lint_results, lambda r: len(r) >= 2
            ),
            asyncio.to_thread(consume_until, kafka_bootstrap, topic_names.dead_letter, lambda r: len(r) >= 1),
        )
    finally:
        await app.stop()

    results = {r.task_id: r for r in (decode(raw, LintResult) for raw in results_raw)}
    assert results[quick.task_id].status is TaskStatus.SUCCESS
    timed_out = results[slow.task_id]
    assert timed_out.status is TaskStatus.FAILURE
    assert timed_out.error is not None
    assert timed_out.error.code == "LINT_TIMEOUT"
    assert timed_out.cached is False
    [letter] = [decode(raw, DeadLetter) for raw in letters_raw]
    slow_msg = next(m for m in delivered if m.key() == str(slow.task_id).encode())
    assert (letter.source_topic, letter.partition, letter.offset) == (topic_names.tasks, 0, slow_msg.offset())
    assert letter.error == timed_out.error
    assert encode(slow).decode().startswith(letter.payload)  # the original bytes, truncated
    assert len(letter.payload) == 65536
