"""A fix on the public lint-results topic: inline or by storage path, and additive to the v1 contract."""

import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from processors.cache_key import cache_key
from processors.fix_transport import FIX_INLINE_MAX_BYTES, fix_file_relpaths, fix_for_wire, inline_size
from processors.fixing import FixedFile
from schemas import codec
from schemas.events import FixOutcome, JobSubmitted, LintOptions, LintResult
from schemas.jsonschema_export import SCHEMA_DIR
from schemas.statuses import SubmissionType, TaskStatus

JOB, TASK = uuid.uuid4(), uuid.uuid4()
RESULTS_SCHEMA = json.loads((SCHEMA_DIR / "lint-results.lint-result.v1.schema.json").read_text())
JOBS_SCHEMA = json.loads((SCHEMA_DIR / "jobs.job-submitted.v1.schema.json").read_text())


def _result(fix: FixOutcome | None) -> LintResult:
    return LintResult(job_id=JOB, task_id=TASK, file_name="q.sql", status=TaskStatus.SUCCESS,
                      dialect="ansi", sqlfluff_version="4.5.0", fix=fix)


def test_a_small_fix_travels_inline(tmp_path: Path) -> None:
    fixed = FixedFile(True, "select 1\n", "--- a/q.sql\n+++ b/q.sql\n")
    wire = fix_for_wire(fixed, JOB, TASK, tmp_path)
    assert wire == FixOutcome(fixed=True, fixed_sql=fixed.fixed_sql, diff=fixed.diff)
    assert not (tmp_path / "jobs").exists()


def test_a_large_fix_is_kept_on_storage_and_travels_by_path(tmp_path: Path) -> None:
    # Quotes double in JSON: this text is under the bound in bytes but over it as the event carries it.
    text = '"' * (FIX_INLINE_MAX_BYTES // 2 + 100) + "\n"
    fixed = FixedFile(True, text, "")
    assert len(text.encode()) < FIX_INLINE_MAX_BYTES < inline_size(fixed)
    wire = fix_for_wire(fixed, JOB, TASK, tmp_path)
    sql_path, diff_path = fix_file_relpaths(JOB, TASK)
    assert (wire.fixed_sql, wire.diff) == (None, None)
    assert (wire.fixed_sql_path, wire.diff_path) == (sql_path, diff_path)
    assert sql_path == f"jobs/{JOB}/fixes/{TASK}.sql"
    assert (tmp_path / sql_path).read_bytes() == text.encode()
    assert (tmp_path / diff_path).read_bytes() == b""
    encoded = codec.encode(_result(wire))
    assert len(encoded) < 2048  # the event stays small whatever the file's size
    jsonschema.validate(json.loads(encoded), RESULTS_SCHEMA)


@pytest.mark.parametrize(
    "fields",
    [
        {"fixed_sql": "x", "fixed_sql_path": "a.sql", "diff": ""},
        {"diff": ""},
        {"fixed_sql": "x"},
        {"fixed_sql": "x", "diff": "", "diff_path": "a.diff"},
    ],
)
def test_each_text_is_in_exactly_one_place(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        FixOutcome(fixed=True, **fields)


def test_results_without_a_fix_are_unchanged_on_the_wire() -> None:
    """Additive in v1: a lint-only result has no ``fix`` key, so a reader of the old schema sees no change."""
    plain = json.loads(codec.encode(_result(None)))
    assert "fix" not in plain
    jsonschema.validate(plain, RESULTS_SCHEMA)
    with_fix = json.loads(codec.encode(_result(FixOutcome(fixed=False, fixed_sql="select 1\n", diff=""))))
    jsonschema.validate(with_fix, RESULTS_SCHEMA)
    assert codec.decode(json.dumps(with_fix), LintResult).fix == FixOutcome(
        fixed=False, fixed_sql="select 1\n", diff=""
    )
    with_fix["fix"]["fixed"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(with_fix, RESULTS_SCHEMA)


def test_jobs_ask_for_fixes_additively() -> None:
    job = JobSubmitted(job_id=JOB, submission_type=SubmissionType.SINGLE_FILE, sql_content="select 1\n")
    assert "fix" not in json.loads(codec.encode(job))["options"]
    asked = JobSubmitted(job_id=JOB, submission_type=SubmissionType.SINGLE_FILE, sql_content="select 1\n",
                         options=LintOptions(fix=True))
    wire = json.loads(codec.encode(asked))
    assert wire["options"]["fix"] is True
    jsonschema.validate(wire, JOBS_SCHEMA)
    assert codec.decode(json.dumps(wire), JobSubmitted).options.fix is True
    wire["options"]["fix"] = "sometimes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wire, JOBS_SCHEMA)


def test_cache_keys_of_lint_only_jobs_stay_and_fix_jobs_differ() -> None:
    sql = "select a from t\n"
    assert cache_key(sql, LintOptions(), "4.5.0") == cache_key(sql, LintOptions(fix=False), "4.5.0")
    # A lint-only job's key is the one computed before fix existed (its options JSON has no "fix"),
    # so the entries already in the compacted cache topic stay hits.
    assert cache_key(sql, LintOptions(), "4.5.0") == (
        "a4a61822f868da135ddab09cf1ff4a7ff5ac61f5c170f7feae55f03fb21911f8"
    )
    assert cache_key(sql, LintOptions(fix=True), "4.5.0") != cache_key(sql, LintOptions(), "4.5.0")
