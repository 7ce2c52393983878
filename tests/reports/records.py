"""Records for the report tests, from SQLFluff itself: ``sqlfluff lint --format json`` on tests/reports/sql.

The fixture folder's ``.sqlfluff`` lists LT01 under ``warnings``, so both
levels appear; ``broken.sql`` gives a PRS (unparsable) finding, and one file
name holds a space, a comma, a colon and a percent sign, which each format
must escape its own way. A failed file's record is written as the sink writes one.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from schemas.error_codes import ErrorCode
from schemas.events import Violation

SQL = Path(__file__).parent / "sql"
CONFIG = (SQL / ".sqlfluff").read_text(encoding="utf-8")
SQLFLUFF = Path(sys.executable).with_name("sqlfluff")
FAILED = {
    "filepath": "too/big.sql",
    "violations": [],
    "error": {"code": ErrorCode.FILE_TOO_LARGE.value, "message": "the file is over the 1 MiB limit"},
}


def _sqlfluff(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if not SQLFLUFF.exists():
        pytest.fail(f"{SQLFLUFF} is missing: install the project with its test extras (make tools)")
    return subprocess.run([str(SQLFLUFF), *args], cwd=cwd, capture_output=True, text=True, timeout=90,
                          check=False)


def sqlfluff_lint_json(folder: Path = SQL) -> list[dict[str, Any]]:
    """What ``sqlfluff lint --format json`` prints for ``folder`` (exit 1 means violations, not failure)."""
    done = _sqlfluff("lint", "--format", "json", ".", cwd=folder)
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout))


def sqlfluff_version() -> str:
    """The version ``sqlfluff --version`` prints."""
    done = _sqlfluff("--version")
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


def service_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the service stores it: the wire ``Violation`` fields only (sink.rows.result_record)."""
    fields = Violation.model_fields
    violations = [
        Violation.model_validate({k: v for k, v in raw.items() if k in fields}).model_dump(mode="json")
        for raw in record["violations"]
    ]
    return {"filepath": record["filepath"], "violations": violations}


def service_records() -> list[dict[str, Any]]:
    """What ``GET /api/v1/jobs/{id}/results`` returns for the fixture files, plus a failed file."""
    return [*map(service_record, sqlfluff_lint_json()), FAILED]
