"""The user's SQLFluff configuration, found as ``sqlfluff`` finds it, each setting with its file.

This mirrors ``sqlfluff.core.config.loader.load_config_up_to_path`` (read in
SQLFluff 4.5): the user's app dir, then ``~``, then every folder between home
and the file, then every folder from the working directory down to the file's
folder, then ``--config``; in each folder ``setup.cfg`` < ``tox.ini`` <
``pep8.ini`` < ``.sqlfluff`` < ``pyproject.toml`` (later wins). It is rebuilt
here, not imported, for one thing SQLFluff does not keep: which file set each
key, so a key the service refuses can be traced to the line the user must edit.
"""

import configparser
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FILENAMES = ("setup.cfg", "tox.ini", "pep8.ini", ".sqlfluff", "pyproject.toml")
Key = tuple[str, ...]


@dataclass(frozen=True)
class Setting:
    """One value and the file it came from."""

    value: Any
    source: Path


Layer = dict[Key, Setting]


class ConfigFileError(ValueError):
    """A configuration file SQLFluff would also fail to read."""


def coerce_value(val: str) -> Any:
    """SQLFluff's INI typing (int, float, true/false/none), so the merged values equal its own."""
    for cast in (int, float):
        try:
            return cast(val)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None}.get(val.strip().lower(), val)


class _CaseSensitiveParser(configparser.ConfigParser):
    """SQLFluff reads keys case-sensitively; so must we, to merge the same keys."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def _ini_records(text: str) -> Iterator[tuple[Key, Any]]:
    parser = _CaseSensitiveParser(delimiters="=", interpolation=None)
    parser.read_string(text)
    for section in parser.sections():
        if section == "sqlfluff":
            head: Key = ("core",)
        elif section.startswith("sqlfluff:"):
            head = tuple(section[len("sqlfluff:") :].split(":"))
        else:
            continue  # [flake8] and friends in a shared setup.cfg are not ours
        for name, raw in parser.items(section):
            yield head + tuple(name.split(".")), coerce_value(raw)


def _flatten(node: dict[str, Any], head: Key = ()) -> Iterator[tuple[Key, Any]]:
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _flatten(value, (*head, key))
        else:
            yield (*head, key), [str(item) for item in value] if isinstance(value, list) else value


def _toml_records(text: str) -> Iterator[tuple[Key, Any]]:
    section = tomllib.loads(text).get("tool", {}).get("sqlfluff", {})
    for key, value in _flatten(section):
        # SQLFluff condenses [tool.sqlfluff.rules.capitalisation.keywords] to one rule name.
        condensed = ("rules", ".".join(key[1:-1]), key[-1]) if key[0] == "rules" and len(key) > 3 else key
        yield condensed, value


@cache
def file_layer(path: Path) -> Layer:
    """One file's SQLFluff settings (empty for a file that has none)."""
    try:
        text = path.read_text(encoding="utf-8")
        records = _toml_records(text) if path.name == "pyproject.toml" else _ini_records(text)
        return {key: Setting(value, path) for key, value in records}
    except (OSError, UnicodeDecodeError, configparser.Error, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError(f"cannot read SQLFluff settings from {path}: {exc}") from exc


def dir_layer(directory: Path) -> Layer:
    """A folder's config files merged in SQLFluff's order of precedence."""
    layer: Layer = {}
    for name in FILENAMES:
        if (directory / name).is_file():
            layer.update(file_layer(directory / name))
    return layer


def intermediate_paths(inner: Path, outer: Path) -> list[Path]:
    """SQLFluff's ``iter_intermediate_paths``: from the common folder of both down to ``inner``."""
    inner, outer = inner.absolute(), outer.absolute()
    if not inner.is_dir():
        inner = inner.parent
    common = Path(os.path.commonpath([inner, outer]))
    steps = [common.resolve()]
    for part in inner.relative_to(common).parts:
        common = common / part
        steps.append(common.resolve())
    return steps


def user_config_dir(home: Path) -> Path:
    """SQLFluff's per-user folder on Linux: ``~/.config/sqlfluff``, else under ``$XDG_CONFIG_HOME``."""
    cross_platform = home / ".config" / "sqlfluff"
    if cross_platform.exists():
        return cross_platform
    return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "sqlfluff"


def layers_for(target: Path, cwd: Path, home: Path, extra: Path | None = None) -> Layer:
    """Every setting that applies to ``target`` (a file or a folder), the winning file of each."""
    appdir = user_config_dir(home)
    stack = [dir_layer(appdir) if appdir.is_dir() else {}, dir_layer(home)]
    stack += [dir_layer(p) for p in intermediate_paths(target, home)[1:-1]]
    stack += [dir_layer(p) for p in intermediate_paths(target, cwd)]
    if extra is not None:
        stack.append(file_layer(extra.resolve()))
    merged: Layer = {}
    for layer in stack:
        merged.update(layer)
    return merged
