"""The job's config text: what the service parses from it is what SQLFluff loaded; refusals name the file."""

import zipfile
from pathlib import Path

import pytest
from sqlfluff.core.config import loader

from client.job_config import explain_refusal, job_config, to_ini
from client.plan import Planner, UsageError
from client.sqlfluff_config import layers_for
from policy.lint_config import ConfigRejectedError, parse_lint_config

PYPROJECT = """
[tool.sqlfluff.core]
dialect = "postgres"
rules = ["CP01", "LT01"]
[tool.sqlfluff.rules.capitalisation.keywords]
capitalisation_policy = "lower"
[tool.sqlfluff.indentation]
tab_space_size = 2
"""


def test_the_service_parses_the_text_into_what_sqlfluff_loaded(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / ".sqlfluff").write_text("[sqlfluff]\nmax_line_length = 100\nignore_paths = build\n")
    layer = layers_for(tmp_path, tmp_path, tmp_path)
    config = job_config(layer)
    assert config.dialect == "postgres"
    served = parse_lint_config(config.text)
    expected = loader.load_config_at_path(str(tmp_path))
    del expected["core"]["ignore_paths"]  # used by the client to choose files, never sent
    served["core"]["rules"] = served["core"]["rules"].split(",")
    assert served == expected


def test_equal_settings_give_equal_texts(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / ".sqlfluff").write_text("[sqlfluff]\nrules = LT01\ndialect = mysql\n")
    (tmp_path / "b" / "tox.ini").write_text("[sqlfluff]\ndialect = mysql\nrules = LT01\n")
    texts = {to_ini(layers_for(tmp_path / d, tmp_path, tmp_path)) for d in "ab"}
    assert texts == {"[sqlfluff]\ndialect = mysql\nrules = LT01\n"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[sqlfluff]\nlibrary_path = /x\n", "FORBIDDEN_CONFIG_KEY"),
        ("[sqlfluff:templater:jinja]\napply_dbt_builtins = True\n", "FORBIDDEN_CONFIG_SECTION"),
        ("[sqlfluff]\ntemplater = jinja\n", "FORBIDDEN_CONFIG_VALUE"),
    ],
)
def test_a_refusal_names_the_file_the_setting_came_from(tmp_path: Path, text: str, code: str) -> None:
    (tmp_path / "setup.cfg").write_text("[sqlfluff]\ndialect = ansi\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".sqlfluff").write_text(text)
    config = job_config(layers_for(tmp_path / "sub", tmp_path, tmp_path))
    with pytest.raises(ConfigRejectedError) as refused:
        parse_lint_config(config.text)
    assert refused.value.code == code
    explained = explain_refusal(str(refused.value), config.layer)
    assert explained.startswith(str(refused.value))
    assert explained.endswith(f"(set in {tmp_path / 'sub' / '.sqlfluff'})")


def test_one_job_per_distinct_config_with_user_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a/x.sql", "a/y.sql", "b/z.sql", "c/w.sql"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("select 1\n")
    (tmp_path / "b" / ".sqlfluff").write_text("[sqlfluff]\ndialect = mysql\n")
    jobs = Planner(tmp_path, tmp_path / "nohome").plan(["a", "b/z.sql", "c", "a/x.sql"])
    grouped = [[display for display, _ in job.files] for job in jobs]
    assert grouped == [["a/x.sql", "a/y.sql", "c/w.sql"], ["b/z.sql"]]
    assert [job.config.dialect for job in jobs] == [None, "mysql"]
    work = tmp_path / "work"
    work.mkdir()
    archive, names = jobs[0].upload(work)
    assert names == {"a/x.sql": "a/x.sql", "a/y.sql": "a/y.sql", "c/w.sql": "c/w.sql"}
    assert sorted(zipfile.ZipFile(archive).namelist()) == ["a/x.sql", "a/y.sql", "c/w.sql"]
    single, single_names = jobs[1].upload(work)
    assert single == tmp_path / "b" / "z.sql"
    assert single_names == {"z.sql": "b/z.sql"}


def test_what_cannot_be_linted_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    planner = Planner(tmp_path, tmp_path)
    for path in (tmp_path / "notes.txt", tmp_path / "missing.sql"):
        with pytest.raises(UsageError, match=r"is not a \.sql file, a \.zip or a folder"):
            planner.plan([str(path)])
