"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`` per
finding (``::warning`` for the codes a config lists as warnings), escaped as
the Actions toolkit escapes them: ``%``, CR and LF in the message; those and
``:`` and ``,`` in property values, which would otherwise end the value.
"""

from reports.model import FileResult, Finding, Report

_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def escape_data(text: str) -> str:
    """A command's message, as the toolkit's ``escapeData``."""
    for raw, escaped in _DATA_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def escape_property(text: str) -> str:
    """A property value, as the toolkit's ``escapeProperty``."""
    for raw, escaped in _PROPERTY_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def command(name: str, message: str, **properties: object) -> str:
    """One workflow command line; properties whose value is None are left out."""
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def _finding(path: str, f: Finding) -> str:
    has_end = f.end_line is not None and f.end_column is not None and f.end_line >= f.line
    return command(
        f.level,
        f.description or f.code,
        file=path,
        line=max(f.line, 1),
        col=max(f.column, 1),
        endLine=f.end_line if has_end else None,
        endColumn=f.end_column if has_end else None,
        title=f.code,
    )


def _file(file: FileResult) -> list[str]:
    lines = [_finding(file.path, f) for f in file.findings]
    if file.failure is not None:
        lines.append(command("error", file.failure.message or file.failure.code,
                             file=file.path, title=file.failure.code))
    return lines


def render(report: Report) -> str:
    """One command per line; nothing else, so every line of the step's log is an annotation."""
    return "".join(line + "\n" for file in report.files for line in _file(file))
