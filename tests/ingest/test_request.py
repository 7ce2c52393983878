"""Request parsing without any I/O: sources, options, dialects, rules, config."""

import pytest

from ingest.errors import RequestRejectedError
from ingest.post_job import idempotency_key
from ingest.request import JobRequest, RequestLimits, Upload, request_digest
from ingest.request_fields import upload_kind
from ingest.settings import IngestSettings
from ingest.storage import StagedFile
from schemas.error_codes import http_status
from schemas.events import LintOptions
from schemas.statuses import SubmissionType

LIMITS = RequestLimits.of(IngestSettings(max_sql_bytes=1000))


def rejected(body: object, upload: Upload | None = None) -> tuple[str, int]:
    with pytest.raises(RequestRejectedError) as info:
        JobRequest.parse(body, LIMITS, upload)
    return info.value.code, http_status(info.value.code)


def test_dialects_come_from_sqlfluff() -> None:
    assert {"ansi", "mysql", "postgres", "tsql", "bigquery"} <= LIMITS.dialects
    assert "cobol" not in LIMITS.dialects


def test_inline_sql_with_every_option() -> None:
    sub = JobRequest.parse(
        {
            "sql_content": "select 1",
            "file_name": "q.sql",
            "dialect": " MySQL ",
            "rules": "LT01, CP01,,LT01",
            "exclude_rules": ["layout.spacing"],
            "config": "[sqlfluff:rules]\nmax_line_length = 100\n",
        },
        LIMITS,
    )
    assert (sub.sql_content, sub.zip_file_path, sub.file_name) == ("select 1", None, "q.sql")
    assert sub.kind is SubmissionType.SINGLE_FILE
    assert sub.options == LintOptions(
        dialect="mysql",
        rules=("LT01", "CP01"),
        exclude_rules=("layout.spacing",),
        config="[sqlfluff:rules]\nmax_line_length = 100\n",
    )


def test_defaults() -> None:
    sub = JobRequest.parse({"zip_file_path": "in/a.zip"}, LIMITS)
    assert (sub.zip_file_path, sub.kind) == ("in/a.zip", SubmissionType.ZIP_ARCHIVE)
    assert sub.options == LintOptions()
    blank = JobRequest.parse({"sql_content": "x", "rules": " , ", "config": ""}, LIMITS)
    assert blank.options == LintOptions()


def test_a_form_names_its_file_unless_told_otherwise() -> None:
    upload = Upload("Reports.ZIP", StagedFile("incoming/x", 3, "ab" * 32))
    form = JobRequest.parse({"dialect": "postgres"}, LIMITS, upload)
    assert (form.file_name, form.kind) == ("Reports.ZIP", SubmissionType.ZIP_ARCHIVE)
    assert form.options.dialect == "postgres"
    assert JobRequest.parse({"file_name": "mine.zip"}, LIMITS, upload).file_name == "mine.zip"
    assert rejected({"file_name": ""}, upload) == ("INVALID_REQUEST", 400)
    assert rejected({}, Upload("n" * 1025 + ".sql", upload.staged)) == ("INVALID_REQUEST", 400)


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        ([], "INVALID_REQUEST", 400),
        ({"sql_content": 1}, "INVALID_REQUEST", 400),
        ({"sql_content": "x", "extra": 1}, "INVALID_REQUEST", 400),
        ({}, "MISSING_SOURCE", 400),
        ({"sql_content": "x", "zip_file_path": "a.zip"}, "AMBIGUOUS_SOURCE", 400),
        ({"sql_content": "é" * 501}, "SQL_TOO_LARGE", 413),
        ({"sql_content": "x", "dialect": "oracle2"}, "UNKNOWN_DIALECT", 400),
        ({"sql_content": "x", "rules": "LT01;DROP"}, "INVALID_RULES", 400),
        ({"sql_content": "x", "exclude_rules": [1]}, "INVALID_RULES", 400),
        ({"sql_content": "x", "rules": "1LT"}, "INVALID_RULES", 400),
        ({"sql_content": "x", "config": "[sqlfluff]\ntemplater = jinja\n"}, "FORBIDDEN_CONFIG_VALUE", 400),
        (
            {"sql_content": "x", "config": "[sqlfluff:templater:jinja]\napply_dbt_builtins = True\n"},
            "FORBIDDEN_CONFIG_SECTION",
            400,
        ),
        ({"sql_content": "x", "config": "not ini"}, "INVALID_CONFIG", 400),
        ({"sql_content": "x", "file_name": ""}, "INVALID_REQUEST", 400),
        ({"sql_content": "x", "dialect": 3}, "INVALID_REQUEST", 400),
        ({"sql_content": "\ud800"}, "INVALID_REQUEST", 400),
        ({"zip_file_path": "a\udcff.zip"}, "INVALID_REQUEST", 400),
        ({"sql_content": "x", "config": "[sqlfluff]\n# \ud800\n"}, "INVALID_REQUEST", 400),
        ({"sql_content": "x", "rules": ["LT01"] * 2 + [[]]}, "INVALID_RULES", 400),
    ],
)
def test_rejections(body: object, code: str, status: int) -> None:
    assert rejected(body) == (code, status)


def test_a_message_is_never_a_template() -> None:
    with pytest.raises(RequestRejectedError) as info:
        JobRequest.parse({"sql_content": "x", "dialekt {0}": 1}, LIMITS)
    assert info.value.message == "unknown field 'dialekt {0}'"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.sql", SubmissionType.SINGLE_FILE),
        ("A.SQL", SubmissionType.SINGLE_FILE),
        ("b.Zip", SubmissionType.ZIP_ARCHIVE),
    ],
)
def test_upload_kind(name: str, kind: SubmissionType) -> None:
    assert upload_kind(name) is kind


@pytest.mark.parametrize("name", ["a.txt", "a.sql.gz", "", "zip"])
def test_upload_kind_rejects(name: str) -> None:
    with pytest.raises(RequestRejectedError) as info:
        upload_kind(name)
    assert info.value.code == "UNSUPPORTED_FILE_TYPE"


@pytest.mark.parametrize("raw", ["", "   ", "k" * 256, "bad\nkey", "\udcff"])
def test_idempotency_key_rejects(raw: str) -> None:
    with pytest.raises(RequestRejectedError) as info:
        idempotency_key(raw)
    assert info.value.code == "INVALID_IDEMPOTENCY_KEY"
    assert idempotency_key(" build-1234 ") == "build-1234"
    assert idempotency_key(None) is None


def test_fingerprint_ignores_key_order_but_not_values() -> None:
    assert request_digest({"a": 1, "b": [1, 2]}) == request_digest({"b": [1, 2], "a": 1})
    assert request_digest({"a": 1}) != request_digest({"a": 2})
    alike = [JobRequest.parse({"sql_content": "x", "rules": r}, LIMITS) for r in ("LT01", ["LT01"])]
    assert alike[0].options == alike[1].options
    assert alike[0].fingerprint != alike[1].fingerprint  # what was sent, not what it means
