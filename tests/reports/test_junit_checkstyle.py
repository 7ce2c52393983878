"""JUnit and checkstyle XML, parsed as Jenkins, GitLab and checkstyle's readers parse them."""

from typing import Any

from reports import render
from tests.reports.consumers import read_checkstyle, read_junit

Records = list[dict[str, Any]]
TOO_BIG = "the file is over the 1 MiB limit"
HOSTILE = {"filepath": "q&a <1>.sql", "violations": [
    {"code": "LT01", "description": 'quote " amp & lt < nul \x00 bell \x07 line\nbreak',
     "name": "layout.spacing", "start_line_no": 3, "start_line_pos": 2, "end_line_no": 3, "end_line_pos": 4}]}


def test_junit_has_a_testcase_per_file_and_a_failure_per_violation(records: Records) -> None:
    cases = read_junit(render("junit", records, tool_version="4.5.0"))
    assert set(cases) == {r["filepath"] for r in records}
    for record in records:
        case = cases[record["filepath"]]
        failures = case.findall("failure")
        assert [(f.get("type"), f.get("message")) for f in failures] == [
            (v["code"], f"{v['code']}: {v['description']}")
            for v in sorted(record["violations"], key=lambda v: (v["start_line_no"], v["start_line_pos"]))
        ]
        assert case.get("file") == record["filepath"]
    assert cases["clean.sql"].find("failure") is None and cases["clean.sql"].find("error") is None
    [error] = cases["too/big.sql"].findall("error")
    assert (error.get("type"), error.get("message")) == ("FILE_TOO_LARGE", TOO_BIG)
    assert "LT01" in (cases["messy.sql"].findtext("system-out") or "")


def test_checkstyle_lists_every_file_and_each_violation(records: Records) -> None:
    files = read_checkstyle(render("checkstyle", records))
    assert set(files) == {r["filepath"] for r in records}
    for record in records:
        if "error" in record:
            continue
        expected = sorted(
            (v["start_line_no"], v["start_line_pos"], "warning" if v["warning"] else "error",
             v["description"], f"sqlfluff.rules.{v['code']}")
            for v in record["violations"]
        )
        got = sorted((int(e["line"]), int(e["column"]), e["severity"], e["message"], e["source"])
                     for e in files[record["filepath"]])
        assert got == expected
    assert files["too/big.sql"] == [
        {"line": "1", "severity": "error", "message": TOO_BIG, "source": "sqllint.FILE_TOO_LARGE"}
    ]


def test_xml_survives_markup_and_control_characters() -> None:
    """Markup is escaped, line breaks survive in attributes, characters XML cannot hold are dropped."""
    [error] = read_checkstyle(render("checkstyle", [HOSTILE]))["q&a <1>.sql"]
    assert error["message"] == 'quote " amp & lt < nul  bell  line\nbreak'
    [failure] = read_junit(render("junit", [HOSTILE]))["q&a <1>.sql"].findall("failure")
    assert failure.get("message") == 'LT01: quote " amp & lt < nul  bell  line\nbreak'
