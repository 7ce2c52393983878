"""Session fixtures of the report tests: SQLFluff's records, computed once (see tests/reports/records.py)."""

from typing import Any

import pytest

from tests.reports import records as fixture


@pytest.fixture(scope="session")
def sqlfluff_records() -> list[dict[str, Any]]:
    """SQLFluff's own output, every key it writes (fixes, offsets, timings)."""
    return fixture.sqlfluff_lint_json()


@pytest.fixture(scope="session")
def records(sqlfluff_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``GET /api/v1/jobs/{id}/results`` returns for the same files, plus a failed file."""
    return [*map(fixture.service_record, sqlfluff_records), fixture.FAILED]


@pytest.fixture(scope="session")
def sqlfluff_version() -> str:
    return fixture.sqlfluff_version()
