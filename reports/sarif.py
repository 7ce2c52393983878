"""SARIF 2.1.0, the log GitHub code scanning (and most security dashboards) ingest.

One run whose driver is SQLFluff, a rule per code seen (with its documentation
link), a result per violation. Relative paths are given against the
``SRCROOT`` base id, which code scanning resolves to the repository's
checkout; a file the service could not lint is both a result (ruleId
``sqllint/<ERROR_CODE>``, so it shows in the alerts list) and a tool
execution notification (so a SARIF viewer knows the run was incomplete).
"""

import json
from typing import Any
from urllib.parse import quote

from reports.model import FileResult, Finding, Report
from reports.rules import NOT_RULES, rule_url

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE_ID = "SRCROOT"
FAILURE_RULE = "sqllint/"
ROOT_TEXT = "The folder the file paths are relative to: the repository's root in CI."
Json = dict[str, Any]


def artifact(path: str) -> Json:
    """An absolute path as a file URI; a relative one as a URI reference against ``SRCROOT``."""
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": BASE_ID}


def _region(finding: Finding) -> Json:
    """1-based; SQLFluff's end column is already SARIF's (the column after the region's last character)."""
    start_line, start_column = max(finding.line, 1), max(finding.column, 1)
    region = {"startLine": start_line, "startColumn": start_column}
    end_line, end_column = finding.end_line, finding.end_column
    if end_line is None or end_column is None or (end_line, end_column) < (start_line, start_column):
        return region
    return {**region, "endLine": end_line, "endColumn": max(end_column, 1)}


def _location(path: str, region: Json) -> list[Json]:
    return [{"physicalLocation": {"artifactLocation": artifact(path), "region": region}}]


def _rule(code: str, finding: Finding | None) -> Json:
    if finding is None:  # a file failure: the service's code, documented in its errors list
        text = f"The file could not be linted ({code[len(FAILURE_RULE):]})."
        return {"id": code, "shortDescription": {"text": text}, "defaultConfiguration": {"level": "error"}}
    name, url = finding.name or NOT_RULES.get(code, code), rule_url(code)
    return {  # GitHub shows shortDescription as the alert's title, fullDescription and help below it
        "id": code,
        "name": name,
        "shortDescription": {"text": f"{code} {name}"},
        "fullDescription": {"text": f"SQLFluff rule {code} ({name}), e.g.: {finding.description}"},
        "helpUri": url,
        "help": {"text": f"See {url}", "markdown": f"See [{code} in the SQLFluff rules reference]({url})."},
        "properties": {"tags": ["sql", "style"]},
    }


def _results(file: FileResult, index: dict[str, int]) -> list[Json]:
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.level,
            "message": {"text": f.description or f.code},
            "locations": _location(file.path, _region(f)),
        }
        for f in file.findings
    ]
    if file.failure is not None:
        rule = FAILURE_RULE + file.failure.code
        results.append({
            "ruleId": rule,
            "ruleIndex": index[rule],
            "level": "error",
            "message": {"text": file.failure.message or file.failure.code},
            "locations": _location(file.path, {"startLine": 1}),
        })
    return results


def _notifications(report: Report) -> list[Json]:
    return [
        {
            "level": "error",
            "message": {"text": f"{f.failure.code}: {f.failure.message}"},
            "descriptor": {"id": FAILURE_RULE + f.failure.code},
            "locations": [{"physicalLocation": {"artifactLocation": artifact(f.path)}}],
        }
        for f in report.files
        if f.failure is not None
    ]


def _rules(report: Report) -> list[Json]:
    """A rule per code found, described from its first finding, in code order."""
    first: dict[str, Finding | None] = {}
    for file in report.files:
        for finding in file.findings:
            first.setdefault(finding.code, finding)
        if file.failure is not None:
            first.setdefault(FAILURE_RULE + file.failure.code, None)
    return [_rule(code, first[code]) for code in sorted(first)]


def render(report: Report) -> str:
    """The SARIF log as JSON text (not indented: a large job's log is written several times faster)."""
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    driver: Json = {"name": "sqlfluff", "fullName": "SQLFluff (via sqllint)",
                    "informationUri": "https://sqlfluff.com", "rules": rules}
    if report.tool_version:
        driver["version"] = report.tool_version
    run: Json = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {BASE_ID: {"description": {"text": ROOT_TEXT}}},
        "invocations": [{"executionSuccessful": report.failed_count == 0,
                         "toolExecutionNotifications": _notifications(report)}],
        "results": [result for file in report.files for result in _results(file, index)],
        "columnKind": "unicodeCodePoints",
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False)
