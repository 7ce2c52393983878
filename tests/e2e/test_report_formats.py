"""Every report format from the running stack: a ZIP with violations, warnings and a failed file.

The job's results are fetched in each format over HTTP and read back as each
consumer reads them (tests/reports/consumers.py); the findings must be the
ones ``sqlfluff lint`` itself reports for the same files with the same config.
"""

import io
import json
import urllib.request
import zipfile
from typing import Any

import pytest

import reports
from harness.http import multipart
from harness.stack import Stack
from tests.reports import consumers
from tests.reports.records import CONFIG, SQL, sqlfluff_lint_json, sqlfluff_version

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
BINARY = "binary.sql"  # NUL bytes: the processors fail this one file with NOT_TEXT


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(SQL.rglob("*.sql")):
            zf.write(path, path.relative_to(SQL).as_posix())
        zf.writestr(BINARY, b"select \x00\x01 from t\n")
    return buf.getvalue()


def _get(stack: Stack, path: str) -> tuple[int, dict[str, str], str]:
    with urllib.request.urlopen(stack.base_url + path, timeout=60) as resp:
        return resp.status, dict(resp.headers), resp.read().decode("utf-8")


@pytest.fixture(scope="module")
def finished_job(stack: Stack) -> str:
    payload, content_type = multipart({"dialect": "ansi", "config": CONFIG}, "reports.zip", _zip())
    status, body = stack.request("POST", "/api/v1/jobs", data=payload, headers={"Content-Type": content_type})
    assert status == 202, body
    job = stack.wait_job(body["job_id"], timeout=180)
    assert (job["job_status"], job["tasks_failed"]) == ("PARTIALLY_COMPLETED", 1), job
    return str(body["job_id"])


def _findings(records: list[dict[str, Any]]) -> set[tuple[str, str, int, int, bool]]:
    return {(r["filepath"], v["code"], v["start_line_no"], v["start_line_pos"], v["warning"])
            for r in records for v in r["violations"]}


def test_the_findings_are_sqlfluffs(stack: Stack, finished_job: str) -> None:
    status, _, text = _get(stack, f"/api/v1/jobs/{finished_job}/results")
    records = json.loads(text)
    assert status == 200 and _findings(records) == _findings(sqlfluff_lint_json())
    [failed] = [r for r in records if "error" in r]
    assert (failed["filepath"], failed["error"]["code"]) == (BINARY, "NOT_TEXT")
    assert any(v["warning"] for r in records for v in r["violations"])


def test_each_format_reads_back_as_its_consumer_reads_it(stack: Stack, finished_job: str) -> None:
    url = f"/api/v1/jobs/{finished_job}/results"
    records = json.loads(_get(stack, url)[2])
    bodies = {}
    for fmt, spec in reports.FORMATS.items():
        status, headers, bodies[fmt] = _get(stack, f"{url}?format={fmt}")
        assert status == 200 and headers["Content-Type"] == f"{spec.media_type}; charset=utf-8", fmt
        if fmt == "json":  # the stored records streamed as they are, not re-indented
            assert json.loads(bodies[fmt]) == records and "Content-Disposition" not in headers
            continue
        assert bodies[fmt] == reports.render(fmt, records, tool_version=sqlfluff_version()), fmt
        assert headers["Content-Disposition"].endswith(f'"sqllint-{finished_job}.{spec.extension}"')
    found = {(path, code, line) for path, code, line, _, _ in _findings(records)}
    failed = {(BINARY, "NOT_TEXT", 1)}

    runs = consumers.read_sarif(bodies["sarif"])["runs"]
    regions = [(consumers.sarif_path(x), x["ruleId"], x["locations"][0]["physicalLocation"]["region"])
               for x in runs[0]["results"]]
    assert {(p, rule, r["startLine"]) for p, rule, r in regions} == found | {(BINARY, "sqllint/NOT_TEXT", 1)}
    cases = consumers.read_junit(bodies["junit"])
    assert cases[BINARY].find("error") is not None and len(cases) == len(records)
    issues = consumers.read_gitlab(bodies["gitlab"])
    where = [(i["location"], i["check_name"].removeprefix("sqllint/")) for i in issues]
    gitlab = {(loc["path"], check, loc["lines"]["begin"]) for loc, check in where}
    assert gitlab == found | failed
    files = consumers.read_checkstyle(bodies["checkstyle"])
    checkstyle = {(p, e["source"].rsplit(".", 1)[1], int(e["line"])) for p, es in files.items() for e in es}
    assert checkstyle == found | failed
    commands = consumers.read_github(bodies["github"])
    assert {(c["file"], c["title"], int(c.get("line", 1))) for c in commands} == found | failed


def test_an_unknown_format_is_refused(stack: Stack, finished_job: str) -> None:
    status, body = stack.request("GET", f"/api/v1/jobs/{finished_job}/results?format=pdf")
    assert (status, body["error"]["code"]) == (400, "INVALID_REPORT_FORMAT")
