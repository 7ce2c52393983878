"""One error vocabulary: every code defined once, documented, and the only codes the code uses."""

import re
from pathlib import Path

from schemas.error_codes import ERRORS, ErrorCode, http_status, render_markdown
from schemas.errors import MAX_MESSAGE_CHARS, LintServiceError, error_info, failure

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "policy", "runtime", "ingest", "processors", "sink", "client")
# A code written as a literal anywhere it is raised or built: ``code="X"``, ``Error("X", ...``.
_LITERAL = re.compile(r'(?:code=|Error\(|failure\()\s*"([A-Z][A-Z0-9_]{2,})"')
_MEMBER = re.compile(r"ErrorCode\.([A-Z][A-Z0-9_]+)")


def test_every_code_has_one_spec_and_the_docs_are_current() -> None:
    assert set(ERRORS) == set(ErrorCode)
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m schemas.error_codes"
    )


def test_the_code_uses_only_registered_codes() -> None:
    used: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            used |= set(_LITERAL.findall(text)) | set(_MEMBER.findall(text))
    unknown = used - set(ErrorCode.__members__)
    assert not unknown, f"codes used but not in schemas/error_codes.py: {sorted(unknown)}"


def test_http_statuses_come_from_the_table() -> None:
    assert http_status("JOB_NOT_FOUND") == 404
    assert http_status("KAFKA_UNAVAILABLE") == 503
    assert http_status("ZIP_TOO_LARGE") == 413
    assert http_status("LINT_TIMEOUT") == 400  # not an HTTP answer: the caller's default
    assert http_status("NO_SUCH_CODE", default=418) == 418


def test_error_info_has_one_truncation_rule() -> None:
    long = "x" * (MAX_MESSAGE_CHARS + 10)
    ours = error_info(LintServiceError(long, code=ErrorCode.NOT_TEXT))
    assert (ours.code, len(ours.message)) == ("NOT_TEXT", MAX_MESSAGE_CHARS)
    theirs = error_info(KeyError("k"), ErrorCode.EXPANSION_FAILED)
    assert (theirs.code, theirs.message) == ("EXPANSION_FAILED", "KeyError: 'k'")
    assert len(failure(ErrorCode.LINT_ERROR, long).message) == MAX_MESSAGE_CHARS
