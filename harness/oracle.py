"""What SQLFluff itself reports for a text: the oracle the pipeline's results are compared with.

The end-to-end tests and the fault scenarios both judge a result by it, so the
rule of what counts as "the same answer" lives in one place.
"""

from collections import Counter
from typing import Any

import sqlfluff

# LT07's reported position depends on PYTHONHASHSEED; its count does not.
POSITION_UNSTABLE = {"LT07"}


def comparable(violations: list[dict[str, Any]]) -> tuple[list[tuple[str, int, int]], Counter[str]]:
    """Exact (code, line, pos) for stable rules, and counts for the unstable ones."""
    exact = sorted(
        (v["code"], v["start_line_no"], v["start_line_pos"])
        for v in violations
        if v["code"] not in POSITION_UNSTABLE
    )
    counts = Counter(v["code"] for v in violations if v["code"] in POSITION_UNSTABLE)
    return exact, counts


def sqlfluff_says(sql: str, dialect: str = "ansi", rules: list[str] | None = None,
                  exclude_rules: list[str] | None = None) -> tuple[list[tuple[str, int, int]], Counter[str]]:
    """SQLFluff's own violations for ``sql``, in the shape :func:`comparable` gives."""
    return comparable(sqlfluff.lint(sql, dialect=dialect, rules=rules, exclude_rules=exclude_rules))
