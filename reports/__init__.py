"""Report formats: one job's results as the tools users already read them (SARIF, JUnit, ...).

Pure functions of the result records, shared by the ingest (``?format=``) and
the ``sqllint`` client, so both print the same bytes for the same results.
``FORMATS`` names each format's media type, file extension and renderer;
:func:`render` parses the records once into :class:`reports.model.Report` and
hands it to the renderer.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from reports import checkstyle, github, gitlab, human, junit, sarif, sqlfluff_json
from reports.model import Record, Report, parse_records
from reports.rules import rule_url


class ReportFormat(NamedTuple):
    """How a format is served and saved, and the function that writes it."""

    media_type: str
    extension: str
    renderer: Callable[[Report], str]


FORMATS: Mapping[str, ReportFormat] = {
    "json": ReportFormat("application/json", "json", sqlfluff_json.render),
    "sarif": ReportFormat("application/sarif+json", "sarif", sarif.render),
    "junit": ReportFormat("application/xml", "junit.xml", junit.render),
    "github": ReportFormat("text/plain", "github.txt", github.render),
    "gitlab": ReportFormat("application/json", "codequality.json", gitlab.render),
    "checkstyle": ReportFormat("application/xml", "checkstyle.xml", checkstyle.render),
    "human": ReportFormat("text/plain", "txt", human.render),
}


class UnknownFormatError(ValueError):
    """A format name not in :data:`FORMATS`; the message lists the known ones."""

    def __init__(self, fmt: str) -> None:
        super().__init__(f"{fmt!r} is not a report format: {', '.join(FORMATS)}")


def render(
    fmt: str,
    records: Sequence[Record],
    *,
    tool_version: str | None = None,
    path_prefix: str = "",
    paths: Mapping[str, str] | None = None,
) -> str:
    """The job's records in format ``fmt``; file names mapped by ``paths``, else under ``path_prefix``.

    ``tool_version`` is SQLFluff's version (``importlib.metadata.version("sqlfluff")``, as the
    ingest passes it): SARIF's driver and JUnit's properties name SQLFluff as the tool.
    """
    if fmt not in FORMATS:
        raise UnknownFormatError(fmt)
    report = parse_records(records, tool_version=tool_version, path_prefix=path_prefix, paths=paths)
    return FORMATS[fmt].renderer(report)


__all__ = ["FORMATS", "Report", "ReportFormat", "UnknownFormatError", "parse_records", "render", "rule_url"]
