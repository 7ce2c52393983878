"""GitLab Code Quality's required fields and GitHub workflow commands' escaping, read back."""

from typing import Any

from reports import render
from tests.reports.consumers import read_github, read_gitlab

Records = list[dict[str, Any]]
TRICKY = "100% sure: a, b\r\nnext line :: done"


def _violation(line: int, pos: int, description: str = "d", *, warning: bool = False) -> dict[str, Any]:
    return {"code": "LT01", "description": description, "name": "layout.spacing", "start_line_no": line,
            "start_line_pos": pos, "end_line_no": line, "end_line_pos": pos + 1, "warning": warning}


def test_gitlab_issues_carry_every_required_field(records: Records) -> None:
    issues = read_gitlab(render("gitlab", records))
    assert len(issues) == sum(len(r["violations"]) for r in records) + 1
    by_path = {(i["location"]["path"], i["check_name"], i["location"]["lines"]["begin"]) for i in issues}
    for record in records:
        for v in record["violations"]:
            assert (record["filepath"], v["code"], v["start_line_no"]) in by_path
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert (severities["LT01"], severities["CP01"], severities["sqllint/FILE_TOO_LARGE"]) == (
        "minor", "major", "critical")


def test_gitlab_fingerprints_are_stable_and_distinct(records: Records) -> None:
    first = [i["fingerprint"] for i in read_gitlab(render("gitlab", records, tool_version="1"))]
    backwards = render("gitlab", list(reversed(records)), tool_version="2")
    again = [i["fingerprint"] for i in read_gitlab(backwards)]
    assert sorted(first) == sorted(again)
    twice = read_gitlab(render("gitlab", [{"filepath": "a.sql", "violations": [_violation(1, 1)] * 2}]))
    assert len({i["fingerprint"] for i in twice}) == 2
    moved = read_gitlab(render("gitlab", [{"filepath": "a.sql", "violations": [_violation(2, 1)]}]))
    assert moved[0]["fingerprint"] not in {i["fingerprint"] for i in twice}


def test_github_commands_round_trip(records: Records) -> None:
    commands = read_github(render("github", records))
    findings = [c for c in commands if c["title"] != "FILE_TOO_LARGE"]
    expected = sorted(
        (r["filepath"], str(v["start_line_no"]), str(v["start_line_pos"]), str(v["end_line_no"]),
         str(v["end_line_pos"]), v["code"], v["description"], "warning" if v["warning"] else "error")
        for r in records for v in r["violations"]
    )
    got = sorted((c["file"], c["line"], c["col"], c["endLine"], c["endColumn"], c["title"], c["message"],
                  c["command"]) for c in findings)
    assert got == expected
    [failed] = [c for c in commands if c["title"] == "FILE_TOO_LARGE"]
    assert (failed["command"], failed["file"], failed["message"]) == (
        "error", "too/big.sql", "the file is over the 1 MiB limit")


def test_github_escapes_what_would_break_a_command() -> None:
    text = render("github", [{"filepath": TRICKY + ".sql", "violations": [_violation(1, 1, TRICKY)]}])
    assert text.count("\n") == 1 and "\r" not in text
    assert "file=100%25 sure%3A a%2C b%0D%0Anext line %3A%3A done.sql," in text
    assert text.endswith("::100%25 sure: a, b%0D%0Anext line :: done\n")
    [command] = read_github(text)
    assert (command["file"], command["message"]) == (TRICKY + ".sql", TRICKY)
