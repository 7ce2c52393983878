import json
import uuid

import jsonschema
import pytest

from schemas import codec
from schemas.errors import SchemaError
from schemas.events import ErrorInfo, JobSubmitted, LintOptions, LintResult, LintTask, Violation
from schemas.jsonschema_export import PUBLIC_SCHEMAS, SCHEMA_DIR, render
from schemas.statuses import SubmissionType, TaskStatus


def _result(**overrides: object) -> LintResult:
    fields: dict[str, object] = {
        "job_id": uuid.uuid4(),
        "task_id": uuid.uuid4(),
        "file_name": "a/b.sql",
        "status": TaskStatus.SUCCESS,
        "violations": (Violation(code="LT01", description="d", name="layout.spacing", start_line_no=1,
                                 start_line_pos=3, end_line_no=1, end_line_pos=4),),
        "dialect": "ansi",
        "sqlfluff_version": "4.5.0",
    }
    fields.update(overrides)
    return LintResult.model_validate(fields)


def test_round_trip_keeps_every_field() -> None:
    event = _result()
    assert codec.decode(codec.encode(event), LintResult) == event


def test_wire_names_type_and_version_not_class() -> None:
    payload = json.loads(codec.encode(_result()))
    assert payload["event_type"] == "lint.result"
    assert payload["schema_version"] == 1
    assert "LintResult" not in json.dumps(payload)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\xfe not json", "UNDECODABLE_EVENT"),
        (b"[1, 2]", "UNDECODABLE_EVENT"),
        (b'{"event_type": "lint.result", "schema_version": 99}', "UNKNOWN_EVENT_TYPE"),
        (b'{"event_type": "job.submitted", "schema_version": 1, "job_id": "nope"}', "INVALID_EVENT"),
    ],
)
def test_bad_bytes_raise_schema_error_with_code(data: bytes, code: str) -> None:
    with pytest.raises(SchemaError) as info:
        codec.decode(data)
    assert info.value.code == code


def test_event_of_another_kind_is_rejected_on_a_topic() -> None:
    with pytest.raises(SchemaError) as info:
        codec.decode(codec.encode(_result()), JobSubmitted, LintTask)
    assert info.value.code == "UNEXPECTED_EVENT_TYPE"


def test_unknown_keys_are_rejected() -> None:
    payload = json.loads(codec.encode(_result()))
    payload["surprise"] = 1
    with pytest.raises(SchemaError):
        codec.decode(json.dumps(payload))


def test_job_needs_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        JobSubmitted(job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE)
    with pytest.raises(ValueError, match="exactly one"):
        JobSubmitted(job_id=uuid.uuid4(), submission_type=SubmissionType.SINGLE_FILE,
                     sql_content="select 1", storage_path="x.sql")


def test_failure_result_requires_error() -> None:
    with pytest.raises(ValueError, match="error is required"):
        _result(status=TaskStatus.FAILURE, violations=())
    failed = _result(status=TaskStatus.FAILURE, violations=(), error=ErrorInfo(code="NOT_TEXT", message="m"))
    assert failed.error is not None


def test_minimal_outside_job_event_decodes_with_defaults() -> None:
    """An outside producer may send only the required fields of the published schema."""
    raw = json.dumps({"event_type": "job.submitted", "schema_version": 1, "job_id": str(uuid.uuid4()),
                      "submission_type": "SINGLE_FILE", "sql_content": "select 1\n"})
    event = codec.decode(raw, JobSubmitted)
    assert event.options == LintOptions()


@pytest.mark.parametrize("file_name", sorted(PUBLIC_SCHEMAS))
def test_committed_json_schemas_are_current(file_name: str) -> None:
    model, mode = PUBLIC_SCHEMAS[file_name]
    assert (SCHEMA_DIR / file_name).read_text(encoding="utf-8") == render(model, mode), (
        "run python -m schemas.jsonschema_export"
    )


def test_emitted_results_validate_against_published_schema() -> None:
    schema = json.loads((SCHEMA_DIR / "lint-results.lint-result.v1.schema.json").read_text())
    jsonschema.validate(json.loads(codec.encode(_result())), schema)
    bad = json.loads(codec.encode(_result()))
    del bad["violations"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
