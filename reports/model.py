"""The result model every format renders: parsed once from the job's records, tolerant of their age.

Records come from the service (``schemas.events.Violation`` fields) or from
``sqlfluff lint --format json`` itself (which adds ``fixes``, file offsets,
timings; older SQLFluff wrote ``line_no``/``line_pos``), so parsing reads the
keys every version shares and keeps the raw record for the ``json`` format.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]
PathMap = Callable[[str], str]


@dataclass(frozen=True)
class Finding:
    """One violation; positions as SQLFluff gives them (1-based, the end exclusive, 0 when unknown)."""

    code: str
    description: str
    name: str
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    warning: bool

    @property
    def level(self) -> str:
        """``warning`` for the codes a user's config lists under ``warnings``, else ``error``."""
        return "warning" if self.warning else "error"


@dataclass(frozen=True)
class FileFailure:
    """Why a file has no lint result (a registered error code and its message)."""

    code: str
    message: str


@dataclass(frozen=True)
class FileResult:
    """One file: its user-facing path, its findings in position order, and its failure if any."""

    path: str
    findings: tuple[Finding, ...]
    failure: FileFailure | None
    record: Mapping[str, Any]


@dataclass(frozen=True)
class Report:
    """A job's files, in the order the service returned them, and the linter's version."""

    files: tuple[FileResult, ...]
    tool_version: str | None = None

    @property
    def violation_count(self) -> int:
        """Findings over every file: the number the summaries print."""
        return sum(len(f.findings) for f in self.files)

    @property
    def failed_count(self) -> int:
        """Files that could not be linted."""
        return sum(1 for f in self.files if f.failure is not None)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def parse_finding(violation: Record) -> Finding:
    """A violation of either shape; missing text reads as empty, a missing position as 0."""
    return Finding(
        code=str(violation.get("code") or "?"),
        description=str(violation.get("description") or ""),
        name=str(violation.get("name") or ""),
        line=_int(violation.get("start_line_no", violation.get("line_no", 0))),
        column=_int(violation.get("start_line_pos", violation.get("line_pos", 0))),
        end_line=_optional_int(violation.get("end_line_no")),
        end_column=_optional_int(violation.get("end_line_pos")),
        warning=bool(violation.get("warning", False)),
    )


def parse_file(record: Record, path_of: PathMap) -> FileResult:
    """One record; findings sorted by position (stably, so equal positions keep SQLFluff's order)."""
    path = path_of(str(record.get("filepath") or "?"))
    findings = sorted(map(parse_finding, record.get("violations") or ()), key=lambda f: (f.line, f.column))
    error = record.get("error")
    failure = (
        FileFailure(str(error.get("code") or "?"), str(error.get("message") or ""))
        if isinstance(error, Mapping)
        else None
    )
    raw = {**record, "filepath": path} if "filepath" in record else dict(record)
    return FileResult(path, tuple(findings), failure, raw)


def path_mapper(path_prefix: str = "", paths: Mapping[str, str] | None = None) -> PathMap:
    """The job's file name → the user's path: ``paths`` first, else ``path_prefix`` joined with ``/``."""
    table = dict(paths or {})
    prefix = path_prefix.rstrip("/") + "/" if path_prefix else ""

    def path_of(name: str) -> str:
        return table.get(name, prefix + name)

    return path_of


def parse_records(
    records: Sequence[Record],
    *,
    tool_version: str | None = None,
    path_prefix: str = "",
    paths: Mapping[str, str] | None = None,
) -> Report:
    """The model of a job's records, file names turned into the user's paths."""
    path_of = path_mapper(path_prefix, paths)
    return Report(tuple(parse_file(r, path_of) for r in records), tool_version)
