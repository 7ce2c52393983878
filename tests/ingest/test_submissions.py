"""Request parsing without any I/O: sources, options, dialects, rules, config."""

import pytest

from ingest.errors import RequestRejectedError
from ingest.submissions import (
    fingerprint,
    load_dialects,
    parse_json_submission,
    parse_options,
    upload_kind,
)
from schemas.events import LintOptions
from schemas.statuses import SubmissionType

DIALECTS = load_dialects()


def rejected(body: object, max_sql: int = 1000) -> tuple[str, int]:
    with pytest.raises(RequestRejectedError) as info:
        parse_json_submission(body, DIALECTS, max_sql)
    return info.value.code, info.value.status


def test_dialects_come_from_sqlfluff() -> None:
    assert {"ansi", "mysql", "postgres", "tsql", "bigquery"} <= DIALECTS
    assert "cobol" not in DIALECTS


def test_inline_sql_with_every_option() -> None:
    sub = parse_json_submission(
        {
            "sql_content": "select 1",
            "file_name": "q.sql",
            "dialect": " MySQL ",
            "rules": "LT01, CP01,,LT01",
            "exclude_rules": ["layout.spacing"],
            "config": "[sqlfluff:rules]\nmax_line_length = 100\n",
        },
        DIALECTS,
        1000,
    )
    assert (sub.sql_content, sub.zip_file_path, sub.file_name) == ("select 1", None, "q.sql")
    assert sub.options == LintOptions(
        dialect="mysql",
        rules=("LT01", "CP01"),
        exclude_rules=("layout.spacing",),
        config="[sqlfluff:rules]\nmax_line_length = 100\n",
    )


def test_defaults() -> None:
    sub = parse_json_submission({"zip_file_path": "in/a.zip"}, DIALECTS, 1000)
    assert sub.zip_file_path == "in/a.zip"
    assert sub.options == LintOptions()
    assert parse_options({"rules": " , "}, DIALECTS).rules is None


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
    ],
)
def test_rejections(body: object, code: str, status: int) -> None:
    assert rejected(body) == (code, status)


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


def test_fingerprint_ignores_key_order_but_not_values() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
