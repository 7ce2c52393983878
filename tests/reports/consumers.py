"""Each report read back the way its consumer reads it, so the tests judge by the consumer's rules.

SARIF: the official OASIS 2.1.0 schema (tests/data/sarif), plus what GitHub
code scanning requires beyond it. JUnit: the elements Jenkins' and GitLab's
parsers look up. Checkstyle: what Checkstyle's XMLLogger writes and readers
(warnings-ng, reviewdog) look up. GitLab: the fields its Code Quality
documentation requires. GitHub: workflow commands parsed and unescaped as the
runner does. The same readers serve the unit tests and the real-stack test.
"""

import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema

SARIF_SCHEMA = Path(__file__).parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
CHECKSTYLE_SEVERITIES = {"error", "warning", "info", "ignore"}
# RFC 3986 URI reference characters; a '%' must start a two-digit escape.
_URI = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_COMMAND = re.compile(r"::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<message>.*)")
Json = dict[str, Any]


@cache
def sarif_validator() -> jsonschema.Draft4Validator:
    """The official schema's validator (it declares draft-04), checked to be a valid schema itself."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def read_sarif(text: str) -> Json:
    """The log, valid against the schema and as GitHub code scanning needs it; else AssertionError."""
    log = json.loads(text)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(log)]
    assert not errors, errors[:5]
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert result["message"]["text"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        uri = physical["artifactLocation"]["uri"]
        assert _URI.fullmatch(uri), f"not a URI reference: {uri!r}"
        base = physical["artifactLocation"].get("uriBaseId")
        assert base is None or base in run["originalUriBaseIds"]
    return log


def sarif_path(result: Json) -> str:
    """The file a result points at, as a path again."""
    return unquote(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])


def read_junit(text: str) -> dict[str, ET.Element]:
    """Testcases by name, read as Jenkins and GitLab do, with the suites' counts checked against them."""
    root = ET.fromstring(text.encode())
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert root.tag in {"testsuites", "testsuite"} and len(suites) == 1
    [suite] = suites
    cases = suite.findall("testcase")
    for case in cases:
        assert case.get("name") and case.get("classname"), case.attrib
        float(case.get("time", "0"))
        for failure in case.findall("failure") + case.findall("error"):
            assert failure.get("message") is not None and failure.get("type"), failure.attrib
    assert int(suite.get("tests", "-1")) == len(cases)
    failed = [c for c in cases if c.find("failure") is not None and c.find("error") is None]
    assert int(suite.get("failures", "-1")) == len(failed)
    assert int(suite.get("errors", "-1")) == sum(1 for c in cases if c.find("error") is not None)
    return {case.get("name", ""): case for case in cases}


def read_checkstyle(text: str) -> dict[str, list[dict[str, str]]]:
    """The ``error`` attributes per file name; line and column are integers, severity a known one."""
    root = ET.fromstring(text.encode())
    assert root.tag == "checkstyle" and root.get("version")
    files: dict[str, list[dict[str, str]]] = {}
    for node in root.findall("file"):
        name = node.get("name")
        assert name, node.attrib
        errors = [dict(error.attrib) for error in node.findall("error")]
        for error in errors:
            assert int(error["line"]) >= 1 and int(error.get("column", "1")) >= 1
            assert error["severity"] in CHECKSTYLE_SEVERITIES and error["message"] and error["source"]
        files[name] = errors
    return files


def read_gitlab(text: str) -> list[Json]:
    """The Code Quality issues, each with every field GitLab requires, fingerprints unique."""
    issues = json.loads(text)
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str) and issue["location"]["path"]
        begin = issue["location"]["lines"]["begin"]
        assert isinstance(begin, int) and begin >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues), "GitLab merges equal fingerprints"
    return issues


def _unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def read_github(text: str) -> list[Json]:
    """Every line a workflow command, split and unescaped as the Actions runner does."""
    commands = []
    *lines, last = text.split("\n")  # the runner splits a step's output on LF only
    assert last == "", "the output ends with a newline"
    for line in lines:
        match = _COMMAND.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        props: dict[str, str] = {}
        for pair in filter(None, (match["props"] or "").split(",")):
            key, _, value = pair.partition("=")
            props[key] = _unescape(value)
        commands.append({"command": match["name"], "message": _unescape(match["message"]), **props})
    return commands
