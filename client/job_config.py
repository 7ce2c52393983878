"""The discovered settings as a job's ``config`` text, and the service's refusal traced to a file.

The service takes one ``.sqlfluff`` text per job and checks it against its
allow-list (policy/lint_config.py); it answers 400 with a message naming the
section or key. The client keeps where each key came from, so that answer
becomes "key X from /path/to/setup.cfg", which the user can act on.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.sqlfluff_config import Key, Layer

# Consumed here (they choose which files are sent), never sent: the service refuses *_paths keys.
CLIENT_KEYS: frozenset[Key] = frozenset({("core", "ignore_paths")})
_KEY_REFUSED = re.compile(r"config key '(?P<key>[^']*)' in \[(?P<section>[^\]]*)\]")
_SECTION_REFUSED = re.compile(r"config section \[(?P<section>[^\]]*)\]")
_TEMPLATER_REFUSED = re.compile(r"^templater ")


@dataclass(frozen=True)
class JobConfig:
    """What one job carries: the config text, the dialect it names, and where each key came from."""

    text: str
    dialect: str | None
    layer: Layer


def _format(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def section_of(key: Key) -> str:
    """The INI section a key is written under (``core`` is ``[sqlfluff]``)."""
    return "sqlfluff" if key[:-1] == ("core",) else ":".join(("sqlfluff", *key[:-1]))


def to_ini(layer: Layer) -> str:
    """The settings as one ``.sqlfluff`` text, sections and keys sorted so equal configs are equal texts."""
    sections: dict[str, list[str]] = {}
    for key in sorted(layer):
        if key not in CLIENT_KEYS:
            sections.setdefault(section_of(key), []).append(f"{key[-1]} = {_format(layer[key].value)}")
    return "\n".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in sorted(sections.items()))


def job_config(layer: Layer) -> JobConfig:
    """The job's config from a file's merged settings (empty text when nothing is set)."""
    dialect = layer.get(("core", "dialect"))
    named = None if dialect is None or dialect.value is None else str(dialect.value)
    return JobConfig(to_ini(layer), named, layer)


def _sources(keys: Iterable[Key], layer: Layer) -> list[Path]:
    return sorted({layer[key].source for key in keys})


def explain_refusal(message: str, layer: Layer) -> str:
    """The service's refusal message with the file(s) the refused setting came from."""
    if match := _KEY_REFUSED.search(message):
        keys = [k for k in layer if section_of(k) == match["section"] and k[-1] == match["key"]]
    elif match := _SECTION_REFUSED.search(message):
        keys = [k for k in layer if section_of(k) == match["section"]]
    elif _TEMPLATER_REFUSED.search(message):
        keys = [k for k in layer if k == ("core", "templater")]
    else:
        keys = []
    sources = _sources(keys, layer)
    if not sources:
        return message
    return f"{message} (set in {', '.join(map(str, sources))})"
