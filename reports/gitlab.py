"""GitLab Code Quality JSON (``artifacts:reports:codequality``): findings in the merge request widget.

Every field GitLab documents as required is written: ``description``,
``check_name``, ``fingerprint``, ``severity`` (one of its five values),
``location.path`` and ``location.lines.begin``. The fingerprint is what GitLab
compares between the source and target branches to tell new findings from
fixed ones, so it depends only on the file, the rule and the position (plus an
occurrence number when one rule fires twice at one place), never on the job.
"""

import hashlib
import json
from collections import Counter
from typing import Any

from reports.model import FileResult, Report

SEVERITY = {"error": "major", "warning": "minor"}
FAILED_SEVERITY = "critical"
Json = dict[str, Any]


def fingerprint(*parts: object) -> str:
    """A stable hex digest of ``parts``."""
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def _issues(file: FileResult) -> list[Json]:
    seen: Counter[tuple[object, ...]] = Counter()
    issues = []
    for f in file.findings:
        key = (file.path, f.code, f.line, f.column, f.end_line, f.end_column)
        seen[key] += 1
        lines = {"begin": max(f.line, 1)}
        if f.end_line is not None and f.end_line >= lines["begin"]:
            lines["end"] = f.end_line
        issues.append({
            "type": "issue",
            "description": f"{f.code}: {f.description}",
            "check_name": f.code,
            "fingerprint": fingerprint(*key, seen[key]),
            "severity": SEVERITY[f.level],
            "categories": ["Style"],
            "location": {"path": file.path, "lines": lines},
        })
    if file.failure is not None:
        issues.append({
            "type": "issue",
            "description": f"{file.failure.code}: {file.failure.message}",
            "check_name": f"sqllint/{file.failure.code}",
            "fingerprint": fingerprint(file.path, file.failure.code),
            "severity": FAILED_SEVERITY,
            "categories": ["Bug Risk"],
            "location": {"path": file.path, "lines": {"begin": 1}},
        })
    return issues


def render(report: Report) -> str:
    """The report as a JSON array (empty when the job is clean, which GitLab reads as no findings).

    Not indented: a large job's report is written several times faster.
    """
    return json.dumps([issue for file in report.files for issue in _issues(file)], ensure_ascii=False)
