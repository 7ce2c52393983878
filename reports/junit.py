"""JUnit XML, the test report Jenkins, GitLab and most CI servers display.

One testsuite; a testcase per file (named by its path, which GitLab and
Jenkins show), a ``failure`` per violation, an ``error`` for a file that could
not be linted. Jenkins and GitLab show only a testcase's first failure, so the
testcase's ``system-out`` lists all of the file's findings as ``human`` does.
"""

import xml.etree.ElementTree as ET

from reports.human import file_lines
from reports.model import FileResult, Report
from reports.xmltext import document, element

SUITE = "sqlfluff"


def _testcase(suite: ET.Element, file: FileResult) -> None:
    case = element(suite, "testcase", name=file.path, classname=SUITE, file=file.path, time="0")
    for f in file.findings:
        text = f"{file.path}:{f.line}:{f.column}: {f.code} {f.description}"
        element(case, "failure", text, message=f"{f.code}: {f.description}", type=f.code)
    if file.failure is not None:
        element(case, "error", f"{file.path}: {file.failure.code} {file.failure.message}",
                message=file.failure.message, type=file.failure.code)
    lines = file_lines(file)
    if lines:
        element(case, "system-out", "\n".join(lines))


def render(report: Report) -> str:
    """The JUnit document: ``<testsuites>`` holding the one ``<testsuite>``."""
    failures = sum(1 for f in report.files if f.findings and f.failure is None)
    errors = report.failed_count
    counts = {"tests": len(report.files), "failures": failures, "errors": errors, "skipped": 0, "time": "0"}
    root = element(None, "testsuites", name="sqllint", **counts)
    suite = element(root, "testsuite", name=SUITE, **counts)
    if report.tool_version:
        properties = element(suite, "properties")
        element(properties, "property", name="sqlfluff.version", value=report.tool_version)
    for file in report.files:
        _testcase(suite, file)
    return document(root)
