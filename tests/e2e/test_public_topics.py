"""Outside producers and consumers use the public topics with nothing but the published contract."""

import json
import time
import uuid
from pathlib import Path

import jsonschema
import pytest
from confluent_kafka import Consumer, Producer

from harness.oracle import comparable, sqlfluff_says
from harness.stack import Stack
from schemas.topics import TopicNames

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
SCHEMAS = Path(__file__).parents[2] / "schemas" / "jsonschema"
SQL = "SELECT id,name FROM users WHERE id=1\n"


def _publish_raw_job(bootstrap: str, topic: str, event: dict) -> None:
    """What a team's own service would do: plain confluent-kafka and a JSON document."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    errors: list[object] = []
    producer.produce(topic, key=event["job_id"], value=json.dumps(event),
                     on_delivery=lambda err, _msg: errors.append(err))
    assert producer.flush(30) == 0
    assert errors == [None]


def _read_results(bootstrap: str, topic: str, job_id: str, expect: int, timeout: float = 90) -> list[dict]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"outside-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    found: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expect and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            event = json.loads(msg.value())
            if event.get("job_id") == job_id:
                found.append(event)
    finally:
        consumer.close()
    return found


def test_outside_producer_job_is_processed_and_outside_consumer_validates_results(
    stack: Stack, kafka_bootstrap: str, e2e_topics: TopicNames
) -> None:
    job_schema = json.loads((SCHEMAS / "jobs.job-submitted.v1.schema.json").read_text())
    result_schema = json.loads((SCHEMAS / "lint-results.lint-result.v1.schema.json").read_text())
    job_id = str(uuid.uuid4())
    event = {"event_type": "job.submitted", "schema_version": 1, "job_id": job_id,
             "submission_type": "SINGLE_FILE", "file_name": "users.sql", "sql_content": SQL,
             "options": {"dialect": "ansi", "rules": None, "exclude_rules": None, "config": None}}
    jsonschema.validate(event, job_schema)
    _publish_raw_job(kafka_bootstrap, e2e_topics.jobs, event)

    job = stack.wait_job(job_id)
    assert job["job_status"] == "COMPLETED"
    [result] = _read_results(kafka_bootstrap, e2e_topics.lint_results, job_id, expect=1)
    jsonschema.validate(result, result_schema)
    assert result["file_name"] == "users.sql" and result["status"] == "SUCCESS"
    assert comparable(result["violations"]) == sqlfluff_says(SQL)


def test_malformed_outside_job_goes_to_dead_letter_and_the_stream_keeps_flowing(
    stack: Stack, kafka_bootstrap: str, e2e_topics: TopicNames
) -> None:
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(e2e_topics.jobs, key=b"junk", value=b"{not json")
    assert producer.flush(30) == 0
    status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": "select 1\n"})
    assert status == 202
    assert stack.wait_job(body["job_id"])["job_status"] == "COMPLETED"
    dead_schema = json.loads((SCHEMAS / "dead-letter.dead-letter.v1.schema.json").read_text())
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": f"dlq-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([e2e_topics.dead_letter])
    letters: list[dict] = []
    deadline = time.monotonic() + 30
    while not letters and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is not None and not msg.error():
            letters.append(json.loads(msg.value()))
    consumer.close()
    assert letters, "no dead letter for an undecodable job event"
    jsonschema.validate(letters[0], dead_schema)
    assert letters[0]["source_topic"] == e2e_topics.jobs
    assert letters[0]["payload"] == "{not json"
