"""The terminal report: ``path:line:pos: CODE description`` per finding, then a summary line.

The text the ``sqllint`` command has printed since its first version, kept
byte for byte so scripts reading it (and people used to it) see no change.
"""

from reports.model import FileResult, Report


def file_lines(file: FileResult) -> list[str]:
    """One file's failure, then its findings in position order."""
    lines = []
    if file.failure is not None:
        lines.append(f"{file.path}: ERROR {file.failure.code} {file.failure.message}".rstrip())
    lines.extend(f"{file.path}:{f.line}:{f.column}: {f.code} {f.description}" for f in file.findings)
    return lines


def render(report: Report) -> str:
    """Findings grouped per file (a blank line between files), then a summary line."""
    blocks = ["\n".join(lines) for lines in map(file_lines, report.files) if lines]
    summary = f"{len(report.files)} file(s) checked, {report.violation_count} violation(s)"
    if report.failed_count:
        summary += f", {report.failed_count} file(s) failed"
    return "\n\n".join([*blocks, summary])
