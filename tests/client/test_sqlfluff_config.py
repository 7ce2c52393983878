"""Config discovery against SQLFluff's own loader on the same trees: the same settings, nearest wins.

Every test builds a home, a project and nested folders in tmp_path, points
HOME there and changes into the project, then asks SQLFluff
(``load_config_up_to_path``) and the client for the settings of a file.
"""

from pathlib import Path
from typing import Any

import pytest
from sqlfluff.core.config import loader

from client.sqlfluff_config import Layer, layers_for

SETUP_CFG = "[flake8]\nmax-line-length = 100\n[sqlfluff]\ndialect = mysql\nmax_line_length = 90\n"
TOX_INI = "[sqlfluff]\nmax_line_length = 95\n[sqlfluff:indentation]\ntab_space_size = 2\n"
DOT_SQLFLUFF = (
    "[sqlfluff]\ndialect = postgres\nexclude_rules = LT05, AM04\n"
    "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = upper\n"
)
PYPROJECT = """
[project]
name = "x"
[tool.sqlfluff.core]
rules = ["CP01", "LT01", "LT02"]
warn_unused_ignores = true
[tool.sqlfluff.rules.capitalisation.keywords]
capitalisation_policy = "lower"
[tool.sqlfluff.rules]
allow_scalar = false
"""


def nested(layer: Layer) -> dict[str, Any]:
    """The client's flat settings in SQLFluff's nested shape."""
    result: dict[str, Any] = {}
    for key, setting in layer.items():
        node = result
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = setting.value
    return result


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """home/ with a user config, home/work/project/ with configs at three depths; cwd = project."""
    home = tmp_path / "home"
    project = home / "work" / "project"
    deep = project / "models" / "staging"
    deep.mkdir(parents=True)
    (home / ".sqlfluff").write_text("[sqlfluff]\ndialect = ansi\ndisable_noqa = True\n")
    (home / ".config" / "sqlfluff").mkdir(parents=True)
    user_config = "[sqlfluff]\nmax_line_length = 70\nwarnings = LT01\n"
    (home / ".config" / "sqlfluff" / ".sqlfluff").write_text(user_config)
    (home / "work" / "tox.ini").write_text("[sqlfluff]\nignore = parsing\n")
    (project / "setup.cfg").write_text(SETUP_CFG)
    (project / "tox.ini").write_text(TOX_INI)
    (project / ".sqlfluff").write_text(DOT_SQLFLUFF)
    (project / "models" / "pyproject.toml").write_text(PYPROJECT)
    (deep / ".sqlfluff").write_text("[sqlfluff:rules:aliasing.table]\naliasing = implicit\n")
    (deep / "a.sql").write_text("select 1\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.chdir(project)
    loader.load_config_at_path.cache_clear()
    return project


def sqlfluff_sees(path: Path, extra: Path | None = None) -> dict[str, Any]:
    return loader.load_config_up_to_path(str(path), extra_config_path=str(extra) if extra else None)


@pytest.mark.parametrize("where", [".", "models", "models/staging", "models/staging/a.sql"])
def test_same_settings_as_sqlfluff(tree: Path, where: str) -> None:
    target = tree / where
    layer = layers_for(target, Path.cwd(), Path.home())
    assert nested(layer) == sqlfluff_sees(target)


def test_nearest_file_wins_and_sources_are_kept(tree: Path) -> None:
    layer = layers_for(tree / "models" / "staging" / "a.sql", tree, tree.parent.parent)
    assert layer[("core", "dialect")].value == "postgres"
    assert layer[("core", "dialect")].source == tree / ".sqlfluff"
    assert layer[("core", "max_line_length")].source == tree / "tox.ini"
    assert layer[("core", "rules")].value == ["CP01", "LT01", "LT02"]
    assert layer[("rules", "capitalisation.keywords", "capitalisation_policy")].value == "lower"
    assert layer[("core", "warnings")].source == tree.parent.parent / ".config" / "sqlfluff" / ".sqlfluff"
    assert ("flake8", "max-line-length") not in layer


def test_extra_config_is_applied_last(tree: Path, tmp_path: Path) -> None:
    extra = tmp_path / "ci.sqlfluff"
    extra.write_text("[sqlfluff]\ndialect = bigquery\n")
    target = tree / "models" / "staging"
    layer = layers_for(target, Path.cwd(), Path.home(), extra)
    assert nested(layer) == sqlfluff_sees(target, extra)
    assert layer[("core", "dialect")].source == extra


def test_a_folder_outside_the_working_directory(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # From a sibling folder, SQLFluff walks from the common folder (home/work) down to the target.
    sibling = tree.parent / "elsewhere"
    sibling.mkdir()
    monkeypatch.chdir(sibling)
    target = tree / "models"
    assert nested(layers_for(target, Path.cwd(), Path.home())) == sqlfluff_sees(target)
