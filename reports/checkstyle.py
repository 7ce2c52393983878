"""Checkstyle XML, read by Jenkins' warnings-ng, reviewdog, SonarQube importers and many IDEs.

Written as Checkstyle's own ``XMLLogger`` writes it: ``<checkstyle>`` holding a
``<file name>`` per file, each finding an ``<error>`` with ``line``,
``column``, ``severity``, ``message`` and ``source`` (here ``sqlfluff.rules.<CODE>``,
as ESLint and others put their rule id there). A file that could not be linted
carries one ``error`` whose source is ``sqllint.<ERROR_CODE>``.
"""

from reports.model import Report
from reports.xmltext import document, element

# The format version the writers outside Checkstyle (ESLint, SQLFluff's peers) announce.
FORMAT_VERSION = "4.3"


def render(report: Report) -> str:
    """The checkstyle document; a clean file is listed with no ``error``, as Checkstyle does."""
    root = element(None, "checkstyle", version=FORMAT_VERSION)
    for file in report.files:
        node = element(root, "file", name=file.path)
        for f in file.findings:
            element(node, "error", line=max(f.line, 1), column=max(f.column, 1), severity=f.level,
                    message=f.description or f.code, source=f"sqlfluff.rules.{f.code}")
        if file.failure is not None:
            message = file.failure.message or file.failure.code
            element(node, "error", line=1, severity="error", message=message,
                    source=f"sqllint.{file.failure.code}")
    return document(root)
