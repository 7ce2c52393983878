"""In-file directives: found exactly as SQLFluff finds them, and held to the job config's allow-list."""

import pytest
from sqlfluff.core import FluffConfig

from policy.inline_directives import (
    InlineConfigRejectedError,
    check_inline_config,
    directive_settings,
    find_directives,
)

# Lines SQLFluff applies, ignores or splits its own way (prefix forms, colons in values, line ends).
SCAN_CASES = (
    "-- sqlfluff:max_line_length:20\nSELECT 1\n",
    "--sqlfluff:dialect:postgres\nSELECT 1\n",
    "  -- sqlfluff:max_line_length:20\n",  # indented: SQLFluff does not read it
    "-- sqlfluff :max_line_length:20\n",  # no 'sqlfluff:' after the dashes: ignored
    "-- sqlfluffmax_line_length:20\n",
    "-- sqlfluff:justavalue\n",  # no key: ignored
    "-- sqlfluff: rules : capitalisation.keywords : capitalisation_policy : lower\n",
    "-- sqlfluff:templater:placeholder:param_style:colon\n",
    "-- sqlfluff:rules:CV09:blocked_words:C:\\x\n",
    '-- sqlfluff:rules:CV09:blocked_words:{"a":"b"}\n',
    "SELECT 1\r\n-- sqlfluff:max_line_length:30\rSELECT 2\x0b"
    "-- sqlfluff:indentation:tab_space_size:7\u2028x\n",
    "select '\n-- sqlfluff:max_line_length:25\n' as s\n",  # inside a string literal: SQLFluff still reads it
    "-- sqlfluff:core:max_line_length:33\n",
    "-- noqa: disable=all\nSELECT 1 -- noqa\n",
)


def _sqlfluff_changes(sql: str) -> dict[tuple[str, ...], object]:
    """What SQLFluff itself sets from the file's lines, read back from its config."""
    before = FluffConfig(overrides={"dialect": "ansi"})
    after = before.copy()
    after.process_raw_file_for_config(sql, "f.sql")
    changed = {}
    for path in (
        ("core", "max_line_length"),
        ("core", "dialect"),
        ("indentation", "tab_space_size"),
        ("rules", "capitalisation.keywords", "capitalisation_policy"),
        ("templater", "placeholder", "param_style"),
        ("rules", "CV09", "blocked_words"),
    ):
        old, new = before.get_section(list(path)), after.get_section(list(path))
        if old != new:
            changed[path] = new
    return changed


@pytest.mark.parametrize("sql", SCAN_CASES)
def test_directives_found_are_the_ones_sqlfluff_applies(sql: str) -> None:
    ours = directive_settings(find_directives(sql))
    theirs = _sqlfluff_changes(sql)
    assert ours == theirs


def test_line_numbers_count_as_sqlfluff_splits_lines() -> None:
    sql = "SELECT 1\r\nSELECT 2\x0b-- sqlfluff:max_parse_depth:0\n"
    with pytest.raises(InlineConfigRejectedError) as caught:
        check_inline_config(sql)
    assert caught.value.message.startswith("line 3: ")


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("-- sqlfluff:max_parse_depth:100000", "max_parse_depth"),
        ("-- sqlfluff:max_parse_nodes:0", "max_parse_nodes"),
        ("--sqlfluff:core:max_parse_depth:0", "max_parse_depth"),
        ("-- sqlfluff:rust_parser_max_iterations:0", "rust_parser_max_iterations"),
        ("-- sqlfluff:recursion_limit:100000", "recursion_limit"),
        ("-- sqlfluff:large_file_skip_byte_limit:10", "large_file_skip_byte_limit"),
        ("-- sqlfluff:large_file_skip_char_limit:10", "large_file_skip_char_limit"),
        ("-- sqlfluff:library_path:/tmp/evil", "library_path"),
        ("-- sqlfluff:templater:jinja", "jinja"),
        ("-- sqlfluff:templater:jinja:apply_dbt_builtins:True", "jinja"),
        ("-- sqlfluff:rules:CV09:blocked_regex:(a+)+$", "blocked_regex"),
        ("-- sqlfluff:rules:capitalisation.keywords:ignore_words_regex:^x", "ignore_words_regex"),
        ("-- sqlfluff:templater:placeholder:param_regex:(?P<param>x)", "param_regex"),
        ("-- sqlfluff:rules:LT01:some_path:/etc", "some_path"),
    ],
)
def test_refused_directives_fail_the_file_naming_line_and_key(line: str, named: str) -> None:
    with pytest.raises(InlineConfigRejectedError) as caught:
        check_inline_config(f"SELECT 1\n{line}\nSELECT 2\n")
    assert caught.value.code == "FORBIDDEN_INLINE_CONFIG"
    assert caught.value.message.startswith("line 2: ")
    assert named in caught.value.message


def test_allowed_directives_and_noqa_pass() -> None:
    sql = (
        "-- sqlfluff:dialect:postgres\n-- sqlfluff:max_line_length:40\n"
        "-- sqlfluff:rules:capitalisation.keywords:capitalisation_policy:lower\n"
        "-- sqlfluff:templater:placeholder\n-- sqlfluff:indentation:tab_space_size:2\n"
        "SELECT a FROM t -- noqa: CP01\n-- noqa: disable=all\n"
    )
    assert [d.line for d in check_inline_config(sql)] == [1, 2, 3, 4, 5]
