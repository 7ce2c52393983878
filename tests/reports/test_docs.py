"""docs/reports.md shows real output: its examples are what the renderers write for its sample job."""

import json
from pathlib import Path

import pytest

from reports import render

DOC = (Path(__file__).parents[2] / "docs" / "reports.md").read_text(encoding="utf-8")
SAMPLE = [
    {"filepath": "messy.sql", "violations": [
        {"code": "LT09",
         "description": "Select targets should be on a new line unless there is only one select target.",
         "name": "layout.select_targets", "start_line_no": 1, "start_line_pos": 1, "end_line_no": 1,
         "end_line_pos": 11, "warning": False},
        {"code": "LT01", "description": "Expected single whitespace between comma ',' and naked identifier.",
         "name": "layout.spacing", "start_line_no": 1, "start_line_pos": 10, "end_line_no": 1,
         "end_line_pos": 11, "warning": True}]},
    {"filepath": "clean.sql", "violations": []},
    {"filepath": "big.sql", "violations": [],
     "error": {"code": "FILE_TOO_LARGE", "message": "2000000 bytes; the limit is 1048576"}},
]


def _render(fmt: str) -> str:
    return render(fmt, SAMPLE, tool_version="4.5.0", path_prefix="db/queries")


@pytest.mark.parametrize("fmt", ["junit", "github", "checkstyle", "human"])
def test_text_examples_are_verbatim(fmt: str) -> None:
    assert _render(fmt).strip() in DOC


def test_json_examples_hold_the_real_values() -> None:
    for issue in json.loads(_render("gitlab")):
        assert f'"fingerprint": "{issue["fingerprint"]}"' in DOC
    for record in json.loads(_render("json")):
        assert f'"filepath": "{record["filepath"]}"' in DOC
    [run] = json.loads(_render("sarif"))["runs"]
    for result in run["results"]:
        assert f'"ruleId": "{result["ruleId"]}", "ruleIndex": {result["ruleIndex"]}' in DOC
