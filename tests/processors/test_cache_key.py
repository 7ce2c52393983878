import pytest

from processors.cache_key import cache_key, canonical_options
from schemas.events import LintOptions

SQL = "select a from t\n"
BASE = cache_key(SQL, LintOptions(), "4.5.0")


def test_key_is_a_stable_sha256_hex() -> None:
    assert cache_key(SQL, LintOptions(), "4.5.0") == BASE
    assert len(BASE) == 64
    assert int(BASE, 16) >= 0


@pytest.mark.parametrize(
    ("sql", "options", "version"),
    [
        ("select a from u\n", LintOptions(), "4.5.0"),
        ("select a from t", LintOptions(), "4.5.0"),
        (SQL, LintOptions(dialect="mysql"), "4.5.0"),
        (SQL, LintOptions(rules=("LT01",)), "4.5.0"),
        (SQL, LintOptions(exclude_rules=("LT01",)), "4.5.0"),
        (SQL, LintOptions(config="[sqlfluff]\nmax_line_length = 40\n"), "4.5.0"),
        (SQL, LintOptions(), "4.5.1"),
    ],
)
def test_key_changes_with_content_options_and_version(sql: str, options: LintOptions, version: str) -> None:
    assert cache_key(sql, options, version) != BASE


def test_rules_and_exclude_rules_are_not_interchangeable() -> None:
    only = cache_key(SQL, LintOptions(rules=("LT01",)), "4.5.0")
    excluded = cache_key(SQL, LintOptions(exclude_rules=("LT01",)), "4.5.0")
    assert only != excluded


def test_header_and_content_cannot_be_confused() -> None:
    # Moving text between the version and the content must not produce the same bytes to hash.
    assert cache_key("\n" + SQL, LintOptions(), "4.5.0") != cache_key(SQL, LintOptions(), "4.5.0\n")


def test_canonical_options_ignore_construction_order() -> None:
    a = LintOptions(dialect="mysql", rules=("LT01",), config="x=1\n")
    b = LintOptions(config="x=1\n", rules=("LT01",), dialect="mysql")
    assert canonical_options(a) == canonical_options(b)
    assert " " not in canonical_options(a)
