"""The config allow-list: what passes equals SQLFluff's own parse; what can load code is refused."""

from pathlib import Path

import pytest
import sqlfluff
from sqlfluff.core import FluffConfig, Linter
from sqlfluff.core.config.loader import load_config_string

from policy.lint_config import (
    MAX_CONFIG_BYTES,
    ConfigRejectedError,
    fluff_config_kwargs,
    lint_overrides,
    parse_lint_config,
)
from schemas.events import LintOptions

ALLOWED = """\
[sqlfluff]
dialect = postgres
max_line_length = 40
exclude_rules = LT12, LT09
warnings = LT05
ignore_templated_areas = False
large_file_skip_byte_limit = 20000

[sqlfluff:rules]
allow_scalar = True
single_table_references = consistent

[sqlfluff:rules:capitalisation.keywords]
capitalisation_policy = lower

[sqlfluff:indentation]
tab_space_size = 2
indented_joins = True

[sqlfluff:layout:type:comma]
line_position = leading

[sqlfluff:templater]
unwrap_wrapped_queries = True

[sqlfluff:templater:placeholder]
param_style = colon
CamelCaseParam = 42
"""

SQL = "SELECT a, B FROM t WHERE x = 1\n"


def test_allowed_config_equals_sqlfluffs_own_parse() -> None:
    parsed = parse_lint_config(ALLOWED)

    assert parsed == load_config_string(ALLOWED)
    assert parsed["core"]["max_line_length"] == 40
    assert parsed["core"]["ignore_templated_areas"] is False
    assert parsed["rules"]["capitalisation.keywords"] == {"capitalisation_policy": "lower"}
    assert parsed["layout"]["type"]["comma"] == {"line_position": "leading"}
    assert parsed["templater"]["placeholder"]["CamelCaseParam"] == 42


def test_empty_config_is_empty() -> None:
    assert parse_lint_config("") == {}
    assert parse_lint_config("# just a comment\n") == {}


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("[sqlfluff]\nlibrary_path = /tmp/evil\n", "FORBIDDEN_CONFIG_KEY", "library_path"),
        ("[sqlfluff]\nprocesses = 64\n", "FORBIDDEN_CONFIG_KEY", "processes"),
        ("[sqlfluff]\nmax_parse_depth = 0\n", "FORBIDDEN_CONFIG_KEY", "max_parse_depth"),
        ("[sqlfluff]\nmax_parse_nodes = 0\n", "FORBIDDEN_CONFIG_KEY", "max_parse_nodes"),
        ("[sqlfluff:rules:CV09]\nblocked_regex = (a+)+$\n", "FORBIDDEN_CONFIG_KEY", "regular expression"),
        ("[sqlfluff:rules:RF02]\nignore_words_regex = ^x\n", "FORBIDDEN_CONFIG_KEY", "ignore_words_regex"),
        ("[sqlfluff:templater:placeholder]\nparam_regex = :(?P<x>)\n", "FORBIDDEN_CONFIG_KEY", "param_regex"),
        ("[sqlfluff]\nencoding = latin-1\n", "FORBIDDEN_CONFIG_KEY", "encoding"),
        ("[sqlfluff]\ntemplater = jinja\n", "FORBIDDEN_CONFIG_VALUE", "jinja"),
        ("[sqlfluff]\ntemplater = python\n", "FORBIDDEN_CONFIG_VALUE", "python"),
        ("[sqlfluff]\ntemplater = dbt\n", "FORBIDDEN_CONFIG_VALUE", "dbt"),
        ("[sqlfluff:templater:jinja]\napply_dbt_builtins = True\n", "FORBIDDEN_CONFIG_SECTION", "jinja"),
        ("[sqlfluff:templater:jinja:context]\nx = 1\n", "FORBIDDEN_CONFIG_SECTION", "jinja:context"),
        ("[sqlfluff:templater:python:context]\nx = 1\n", "FORBIDDEN_CONFIG_SECTION", "python"),
        ("[sqlfluff:templater:dbt]\nproject_dir = .\n", "FORBIDDEN_CONFIG_SECTION", "dbt"),
        (
            "[sqlfluff:templater]\nload_macros_from_path = m\n",
            "FORBIDDEN_CONFIG_KEY",
            "load_macros_from_path",
        ),
        ("[sqlfluff:templater:placeholder]\nmacro_paths = m\n", "FORBIDDEN_CONFIG_KEY", "macro_paths"),
        ("[sqlfluff:rules:LT01]\nsome_path = x\n", "FORBIDDEN_CONFIG_KEY", "some_path"),
        ("[sqlfluff:rules]\ncapitalisation.keywords.policy = x\n", "FORBIDDEN_CONFIG_KEY", "capitalisation"),
        ("[tool:pytest]\naddopts = -x\n", "FORBIDDEN_CONFIG_SECTION", "tool:pytest"),
        ("[SQLFLUFF]\ndialect = ansi\n", "FORBIDDEN_CONFIG_SECTION", "SQLFLUFF"),
        ("[DEFAULT]\nlibrary_path = /x\n[sqlfluff]\ndialect = ansi\n", "FORBIDDEN_CONFIG_SECTION", "DEFAULT"),
    ],
)
def test_forbidden_settings_are_rejected_by_name(text: str, code: str, named: str) -> None:
    with pytest.raises(ConfigRejectedError) as caught:
        parse_lint_config(text)

    assert caught.value.code == code
    assert named in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "dialect = ansi\n",  # no section header
        "[sqlfluff]\n[sqlfluff]\n",  # duplicate section
        "[sqlfluff]\ndialect = a\ndialect = b\n",  # duplicate key
        "[sqlfluff]\njust words\n",  # not key = value
        "[sqlfluff]\ndialect: ansi\n",  # SQLFluff only accepts '='
    ],
)
def test_invalid_ini_is_rejected(text: str) -> None:
    with pytest.raises(ConfigRejectedError) as caught:
        parse_lint_config(text)

    assert caught.value.code == "INVALID_CONFIG"
    assert "INI" in caught.value.message


def test_oversized_config_is_rejected() -> None:
    text = "[sqlfluff]\n" + "# padding\n" * (MAX_CONFIG_BYTES // 10)

    with pytest.raises(ConfigRejectedError) as caught:
        parse_lint_config(text)

    assert caught.value.code == "CONFIG_TOO_LARGE"


def test_overrides_carry_job_options_and_service_policy() -> None:
    options = LintOptions(dialect="bigquery", rules=("CP01", "LT01"), exclude_rules=("LT05",))

    assert lint_overrides(options) == {
        "dialect": "bigquery",
        "templater": "raw",
        "rules": "CP01,LT01",
        "exclude_rules": "LT05",
        "large_file_skip_byte_limit": 0,
        "large_file_skip_char_limit": 0,
        "max_parse_depth": 600,
        "max_parse_nodes": 100_000,
        "rust_parser_max_iterations": 3_000_000,
    }


def test_overrides_keep_a_chosen_safe_templater() -> None:
    options = LintOptions(config="[sqlfluff]\ntemplater = placeholder\n")

    assert lint_overrides(options)["templater"] == "placeholder"


def _records(options: LintOptions, sql: str) -> list[tuple[str, int, int]]:
    linter = Linter(config=FluffConfig(**fluff_config_kwargs(options)))
    (record,) = linter.lint_string_wrapped(sql, fname="q.sql").as_records()
    return sorted((v["code"], v["start_line_no"], v["start_line_pos"]) for v in record["violations"])


def test_config_changes_results_exactly_as_sqlfluff_does(tmp_path: Path) -> None:
    text = "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = lower\n"
    (tmp_path / ".sqlfluff").write_text(text)
    sql_path = tmp_path / "q.sql"
    sql_path.write_text(SQL)
    expected = sorted(
        (v["code"], v["start_line_no"], v["start_line_pos"])
        for v in sqlfluff.lint(SQL, dialect="ansi", config_path=str(tmp_path / ".sqlfluff"))
    )

    with_config = _records(LintOptions(config=text), SQL)
    without_config = _records(LintOptions(), SQL)

    assert with_config == expected
    assert ("CP01", 1, 1) in with_config
    assert ("CP01", 1, 1) not in without_config


def test_rules_option_beats_the_config_file() -> None:
    options = LintOptions(rules=("CP01",), config="[sqlfluff]\nrules = LT01\n")

    assert {code for code, _, _ in _records(options, "select a FROM t\n")} == {"CP01"}


def test_large_file_skip_in_config_cannot_hide_a_file() -> None:
    sql = "select a from t;\n" * 2000 + "SELECT b FROM t;\n"
    options = LintOptions(config="[sqlfluff]\nlarge_file_skip_byte_limit = 100\n")

    assert ("CP01", 2001, 1) in _records(options, sql)


def test_parser_limits_are_the_services_whatever_sqlfluffs_defaults() -> None:
    config = FluffConfig(**fluff_config_kwargs(LintOptions(config="[sqlfluff]\nmax_line_length = 9\n")))

    assert (config.get("max_parse_depth"), config.get("max_parse_nodes")) == (600, 100_000)
