"""The product end to end over HTTP: real Kafka, real MariaDB, real service processes."""

import io
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from harness.http import multipart
from harness.oracle import comparable, sqlfluff_says
from harness.stack import Stack
from schemas.events import DEFAULT_TENANT
from schemas.topics import TopicNames

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
DATA = Path(__file__).parents[1] / "data" / "sql"
MESSY_SQL = "select a,b from t where x=1;\nSELECT  c from   u;\n"


def _zip_bytes(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*.sql")):
            zf.write(path, path.relative_to(root).as_posix())
    return buf.getvalue()


def _results_by_file(stack: Stack, job_id: str) -> dict[str, dict]:
    status, results = stack.request("GET", f"/api/v1/jobs/{job_id}/results")
    assert status == 200, results
    return {r["filepath"]: r for r in results}


def test_single_sql_is_linted_like_sqlfluff(stack: Stack) -> None:
    status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": MESSY_SQL, "file_name": "messy.sql"})
    assert status == 202, body
    assert body["job_status"] == "ACCEPTED" and body["submission_type"] == "SINGLE_FILE"
    first_status, first = stack.request("GET", f"/api/v1/jobs/{body['job_id']}")
    assert first_status == 200, first  # never 404 straight after the 202

    job = stack.wait_job(body["job_id"])
    assert job["job_status"] == "COMPLETED"
    [task] = job["tasks"]
    assert task["task_status"] == "SUCCESS"
    status, result = stack.request("GET", f"/api/v1/tasks/{task['task_id']}/result")
    assert status == 200
    assert result["filepath"] == "messy.sql"
    assert comparable(result["violations"]) == sqlfluff_says(MESSY_SQL)
    assert task["violation_count"] == len(result["violations"]) > 0


def test_rules_option_restricts_the_report(stack: Stack) -> None:
    status, body = stack.request("POST", "/api/v1/jobs", {"sql_content": MESSY_SQL, "rules": "CP01,LT01"})
    assert status == 202, body
    stack.wait_job(body["job_id"])
    [result] = _results_by_file(stack, body["job_id"]).values()
    assert {v["code"] for v in result["violations"]} <= {"CP01", "LT01"}
    assert comparable(result["violations"]) == sqlfluff_says(MESSY_SQL, rules=["CP01", "LT01"])


def test_zip_of_two_dialect_folders_matches_sqlfluff_on_every_file(
    stack: Stack, kafka_bootstrap: str, e2e_topics: TopicNames
) -> None:
    payload, content_type = multipart({"dialect": "ansi"}, "repo.zip", _zip_bytes(DATA))
    status, body = stack.request("POST", "/api/v1/jobs", data=payload, headers={"Content-Type": content_type})
    assert status == 202, body
    assert body["submission_type"] == "ZIP_ARCHIVE"
    job = stack.wait_job(body["job_id"], timeout=180)
    files = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.sql"))
    assert len(files) >= 20
    assert job["task_count"] == len(files)
    assert job["tasks_succeeded"] + job["tasks_failed"] == len(files)

    assert sorted(t["ordinal"] for t in job["tasks"]) == list(range(len(files)))
    results = _results_by_file(stack, body["job_id"])
    assert sorted(results) == files
    for name in files:
        expected = sqlfluff_says((DATA / name).read_text(encoding="utf-8"), dialect="ansi")
        assert comparable(results[name]["violations"]) == expected, name
    assert len(_task_partitions(kafka_bootstrap, e2e_topics.tasks)) >= 4

    # The same repository again: answered from the result cache, identical to the fresh lint.
    headers = {"Content-Type": content_type}
    status, again = stack.request("POST", "/api/v1/jobs", data=payload, headers=headers)
    assert status == 202, again
    rejob = stack.wait_job(again["job_id"], timeout=120)
    assert sorted(t["ordinal"] for t in rejob["tasks"]) == list(range(len(files)))
    assert _results_by_file(stack, again["job_id"]) == results


def _task_partitions(bootstrap: str, topic: str) -> set[int]:
    """Partitions of the tasks topic that received tasks: the spread of the load."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4().hex}"})
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        used = set()
        for partition in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            if high > low:
                used.add(partition)
        return used
    finally:
        consumer.close()


def test_zip_file_path_in_the_import_area(stack: Stack, storage_root: Path) -> None:
    folder = storage_root / "imports" / DEFAULT_TENANT / "team-a"  # the path is relative to the area
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DATA / "mysql", folder / "src", dirs_exist_ok=True)
    (folder / "release.zip").write_bytes(_zip_bytes(folder / "src"))
    status, body = stack.request(
        "POST", "/api/v1/jobs", {"zip_file_path": "team-a/release.zip", "dialect": "mysql"}
    )
    assert status == 202, body
    stack.wait_job(body["job_id"], timeout=120)
    results = _results_by_file(stack, body["job_id"])
    assert sorted(results) == sorted(p.name for p in (DATA / "mysql").glob("*.sql"))
    for name, record in results.items():
        expected = sqlfluff_says((DATA / "mysql" / name).read_text(encoding="utf-8"), dialect="mysql")
        assert comparable(record["violations"]) == expected, name


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, None),
        ({"sql_content": "select 1", "zip_file_path": "a.zip"}, 400, None),
        ({"sql_content": "select 1", "dialect": "no-such-dialect"}, 400, None),
        ({"sql_content": "select 1", "rules": "LT01;DROP"}, 400, None),
        ({"sql_content": "select 1", "config": "[sqlfluff]\nlibrary_path = /tmp\n"}, 400, None),
        ({"zip_file_path": "../../etc/passwd.zip"}, 400, "UNSAFE_PATH"),
        ({"zip_file_path": "missing/nothing.zip"}, 404, "FILE_NOT_FOUND"),
    ],
)
def test_bad_requests_get_a_status_and_a_code(
    stack: Stack, body: dict, status: int, code: str | None
) -> None:
    got_status, got = stack.request("POST", "/api/v1/jobs", body)
    assert got_status == status, got
    assert set(got["error"]) == {"code", "message"}
    assert got["error"]["code"] == code or (code is None and got["error"]["code"])


def test_corrupt_zip_upload_is_rejected_before_kafka(stack: Stack) -> None:
    payload, content_type = multipart({}, "broken.zip", b"PK\x03\x04 this is not really a zip")
    status, body = stack.request("POST", "/api/v1/jobs", data=payload, headers={"Content-Type": content_type})
    assert status == 400, body
    assert body["error"]["code"] == "ZIP_CORRUPT"


def test_unknown_ids(stack: Stack) -> None:
    assert stack.request("GET", f"/api/v1/jobs/{uuid.uuid4()}")[0] == 404
    assert stack.request("GET", f"/api/v1/tasks/{uuid.uuid4()}/result")[0] == 404
    assert stack.request("GET", "/api/v1/jobs/not-a-uuid")[0] == 400
