"""The environment files' format: what docker compose and kustomize read identically.

Compose (``env_file``) strips quotes, ``export`` and inline comments and
interpolates ``${...}``; kustomize's ``configMapGenerator`` ``envs:`` keeps a
value verbatim and takes a bare ``NAME`` from the shell running it. A file
that uses any of these would configure the two deployments differently, so
the parser refuses them instead of guessing which reading was meant.
"""

import re
from pathlib import Path

from deploy.problem import Problem

_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_QUOTES = ("'", '"')


class EnvFileError(Exception):
    """The file cannot be read at all (missing, a directory, not UTF-8): a usage error."""


def _value_problem(value: str) -> str | None:
    """Why compose and kustomize would read this value differently, if they would."""
    if value != value.strip():
        return "leading or trailing whitespace (compose strips it, kustomize keeps it)"
    if value[:1] in _QUOTES or value[-1:] in _QUOTES:
        return "quoted value (compose strips the quotes, kustomize keeps them)"
    if "$" in value:
        return "'$' in the value (compose interpolates it, kustomize does not)"
    if " #" in value:
        return "' #' in the value (compose reads a comment, kustomize does not)"
    return None


def _line_problem(line: str) -> tuple[str, str]:
    """The name a malformed line is about (or the line itself) and why it is malformed."""
    head = line.split("=", 1)[0].strip()
    if head.startswith("export "):
        return head.removeprefix("export ").strip(), "'export' is not part of the format"
    if "=" not in line:
        return head, "no '=': kustomize would read the value from the shell that renders it"
    return head or line, "not a NAME=value line (names are upper case: A-Z, 0-9, _)"


def parse_env(text: str, source: str = "<env>") -> tuple[dict[str, str], list[Problem]]:
    """``NAME=value`` pairs of an environment file and the lines that break the shared format."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        where = f"{source}:{number}"
        if not sep or not _NAME.fullmatch(name):
            bad_name, why = _line_problem(line)
            problems.append(Problem(bad_name, f"{where}: {why}"))
            continue
        why_not = _value_problem(value)
        if why_not:
            problems.append(Problem(name, f"{where}: {why_not}"))
        if name in values:
            problems.append(Problem(name, f"{where}: set twice: which one wins depends on the reader"))
        values[name] = value
    return values, problems


def read_env(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """:func:`parse_env` of a file; :class:`EnvFileError` when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"{path}: cannot read: {exc}") from exc
    return parse_env(text, str(path))
