"""Which ``.sql`` files a path names, skipping what ``.sqlfluffignore`` ignores, as ``sqlfluff`` does.

This mirrors ``sqlfluff.core.linter.discovery.paths_from_path`` (SQLFluff 4.5):
ignore files come from ``.sqlfluffignore`` and from ``ignore_paths`` in
``.sqlfluff`` and ``pyproject.toml``, read as gitignore patterns relative to
their own folder. Those between the working directory and the path always
apply; those met while walking a folder apply inside that folder only. A
file named exactly is skipped too when an outer pattern ignores it.
"""

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pathspec

from client.sqlfluff_config import file_layer, intermediate_paths

IGNORE_FILES = (".sqlfluffignore", "pyproject.toml", ".sqlfluff")
# The service lints the .sql members of an archive, whatever sql_file_exts says.
SQL_SUFFIX = ".sql"
Spec = tuple[str, pathspec.PathSpec]


def _spec(directory: str, name: str) -> Spec | None:
    path = Path(directory) / name
    if name == ".sqlfluffignore":
        lines = path.read_text(encoding="utf-8").splitlines()
    else:
        setting = file_layer(path.resolve()).get(("core", "ignore_paths"))
        if setting is None or not setting.value:
            return None
        value = setting.value
        lines = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return directory, pathspec.PathSpec.from_lines("gitignore", lines)


def _ignored(absolute: str, specs: Sequence[Spec]) -> bool:
    return any(spec.match_file(os.path.relpath(absolute, directory)) for directory, spec in specs)


def outer_specs(target: Path, cwd: Path) -> list[Spec]:
    """Ignore patterns from the folders between the working directory and ``target``."""
    specs = []
    for folder in intermediate_paths(target.absolute(), cwd):
        for name in IGNORE_FILES:
            if (folder / name).is_file() and (spec := _spec(str(folder), name)):
                specs.append(spec)
    return specs


def _walk(path: str, outer: Sequence[Spec]) -> Iterator[str]:
    inner: list[Spec] = []
    for dirname, subdirs, filenames in os.walk(path, topdown=True):
        inner = [(d, s) for d, s in inner if dirname == d or dirname.startswith(d + os.sep)]
        for name in sorted(set(filenames) & set(IGNORE_FILES)):
            if spec := _spec(dirname, name):
                inner.append(spec)
        specs = [*outer, *inner]
        here = os.path.abspath(dirname)
        subdirs[:] = [d for d in subdirs if not _ignored(os.path.join(here, d, "*"), specs)]
        for filename in filenames:
            relative = os.path.join(dirname, filename)
            if filename.lower().endswith(SQL_SUFFIX) and not _ignored(os.path.abspath(relative), specs):
                yield os.path.normpath(relative)


def sql_files(path: str, cwd: Path) -> list[str]:
    """The ``.sql`` files ``path`` names, as ``sqlfluff lint path`` would list them (sorted)."""
    outer = outer_specs(Path(path), cwd)
    if os.path.isfile(path):
        if not path.lower().endswith(SQL_SUFFIX) or _ignored(os.path.abspath(path), outer):
            return []
        return [os.path.normpath(path)]
    return sorted(_walk(path, outer))
