"""File discovery and ``.sqlfluffignore`` against SQLFluff's own ``paths_from_path`` on the same trees."""

import os
from pathlib import Path

import pytest
from sqlfluff.core.linter.discovery import paths_from_path

from client.discover import sql_files


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


TREE = {
    "a.sql": "select 1\n",
    "B.SQL": "select 2\n",
    "notes.txt": "not sql\n",
    "build/out.sql": "select 3\n",
    "models/keep.sql": "select 4\n",
    "models/tmp_x.sql": "select 5\n",
    "models/sub/deep.sql": "select 6\n",
    "models/sub/vendor/v.sql": "select 7\n",
    "models/.sqlfluffignore": "sub/vendor/\n",
    "seeds/s.sql": "select 8\n",
    "seeds/generated.sql": "select 9\n",
    "seeds/.sqlfluff": "[sqlfluff]\nignore_paths = generated.sql\n",
    "etl/pyproject.toml": '[tool.sqlfluff.core]\nignore_paths = ["legacy"]\n',
    "etl/legacy/old.sql": "select 10\n",
    "etl/new.sql": "select 11\n",
    ".sqlfluffignore": "build/\n**/tmp_*.sql\n!models/sub/\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [".", "models", "models/sub", "seeds", "etl", "etl/legacy", "a.sql", "build/out.sql",
     "models/tmp_x.sql", "seeds/generated.sql", "notes.txt"],
)
def test_same_files_as_sqlfluff(project: Path, path: str) -> None:
    expected = paths_from_path(path, working_path=str(project))
    assert sql_files(path, project) == expected


def test_the_ignored_files_really_are_ignored(project: Path) -> None:
    found = sql_files(".", project)
    assert "a.sql" in found
    assert "B.SQL" in found
    assert "models/keep.sql" in found
    for ignored in ("build/out.sql", "models/tmp_x.sql", "models/sub/vendor/v.sql", "seeds/generated.sql",
                    "etl/legacy/old.sql", "notes.txt"):
        assert ignored not in found


def test_from_a_subfolder_outer_ignore_files_do_not_apply_above_the_working_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLFluff reads ignore files from the working directory down, not from its parents.
    monkeypatch.chdir(project / "models")
    assert sql_files("../build", project / "models") == paths_from_path(
        "../build", working_path=str(project / "models")
    )
    assert sql_files(".", Path.cwd()) == paths_from_path(".", working_path=os.getcwd())
