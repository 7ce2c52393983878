"""SARIF against the official 2.1.0 schema and GitHub code scanning's needs, from SQLFluff's records."""

import json
from typing import Any

import jsonschema
import pytest

from reports import render, rule_url
from tests.reports.consumers import SARIF_SCHEMA, read_sarif, sarif_path, sarif_validator

Records = list[dict[str, Any]]


def test_every_violation_is_a_result_at_its_place(records: Records, sqlfluff_version: str) -> None:
    log = read_sarif(render("sarif", records, tool_version=sqlfluff_version))
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("sqlfluff", sqlfluff_version)
    expected = [
        (r["filepath"], v["code"], "warning" if v["warning"] else "error", v["start_line_no"],
         v["start_line_pos"], v["end_line_no"], v["end_line_pos"])
        for r in records for v in r["violations"]
    ]
    got = [
        (sarif_path(x), x["ruleId"], x["level"], *(x["locations"][0]["physicalLocation"]["region"][k]
         for k in ("startLine", "startColumn", "endLine", "endColumn")))
        for x in run["results"] if not x["ruleId"].startswith("sqllint/")
    ]
    assert sorted(got) == sorted(expected)
    assert {"warning", "error"} <= {x["level"] for x in run["results"]}
    assert "odd, name: 100%.sql" in {sarif_path(x) for x in run["results"]}


def test_rules_link_to_their_documentation(records: Records) -> None:
    [run] = read_sarif(render("sarif", records))["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    codes = {v["code"] for r in records for v in r["violations"]}
    assert codes <= set(rules) and "PRS" in codes
    for code in codes:
        assert rules[code]["helpUri"] == rule_url(code)
    assert rule_url("LT01") == "https://docs.sqlfluff.com/en/stable/reference/rules.html#rule-LT01"
    assert rules["LT01"]["name"] == "layout.spacing"


def test_a_failed_file_is_a_result_and_a_notification(records: Records) -> None:
    [run] = read_sarif(render("sarif", records))["runs"]
    [failed] = [x for x in run["results"] if x["ruleId"].startswith("sqllint/")]
    assert failed["ruleId"] == "sqllint/FILE_TOO_LARGE" and sarif_path(failed) == "too/big.sql"
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "sqllint/FILE_TOO_LARGE" and "1 MiB" in note["message"]["text"]


def test_paths_are_relative_to_the_checkout_or_mapped(records: Records) -> None:
    [run] = read_sarif(render("sarif", records))["runs"]
    locations = [x["locations"][0]["physicalLocation"]["artifactLocation"] for x in run["results"]]
    assert {loc["uriBaseId"] for loc in locations} == {"SRCROOT"} and "SRCROOT" in run["originalUriBaseIds"]
    assert "odd%2C%20name%3A%20100%25.sql" in {loc["uri"] for loc in locations}
    mapped = read_sarif(render("sarif", records, path_prefix="db/queries"))
    assert {sarif_path(x).split("/")[0] for x in mapped["runs"][0]["results"]} == {"db"}
    absolute = read_sarif(render("sarif", records, paths={"messy.sql": "/home/me/messy.sql"}))
    [run] = absolute["runs"]
    uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in run["results"]}
    assert "file:///home/me/messy.sql" in uris


def test_a_clean_job_is_a_valid_empty_run() -> None:
    [run] = read_sarif(render("sarif", [{"filepath": "a.sql", "violations": []}]))["runs"]
    assert run["results"] == [] and run["invocations"][0]["executionSuccessful"] is True


def test_a_finding_without_position_still_points_at_its_file() -> None:
    """An old or odd record (no position, no end) still gives a valid region at the file's start."""
    records = [{"filepath": "a.sql", "violations": [{"code": "TMP", "description": "templating failed"}]}]
    [run] = read_sarif(render("sarif", records))["runs"]
    [result] = run["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert run["tool"]["driver"]["rules"][0]["name"] == "templating"


def test_the_schema_is_the_official_one() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_schema_rejects_what_code_scanning_would() -> None:
    """The validator is live: a level SARIF does not know, or a result without message, is refused."""
    log = json.loads(render("sarif", [{"filepath": "a.sql", "violations": [
        {"code": "LT01", "description": "d", "name": "n", "start_line_no": 1, "start_line_pos": 1}]}]))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator().validate(log)
    del log["runs"][0]["results"][0]["message"]
    log["runs"][0]["results"][0]["level"] = "error"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator().validate(log)
