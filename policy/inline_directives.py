"""In-file ``-- sqlfluff:`` directives go through the same allow-list as a job's config.

SQLFluff applies such a line to the file's config after our overrides, so an
override cannot win against it: the only safe answer to a refused directive is
to refuse the file, before SQLFluff sees it, naming the line and the key. A
result computed under a setting we refuse is never produced.

The scan mirrors SQLFluff's own (``FluffConfig.process_raw_file_for_config``
and ``process_inline_config``): the same line splitting (``str.splitlines``),
the same prefix test at the very start of a line, the same colon splitting
with its Windows-path and JSON heuristics. Lines SQLFluff ignores (no
``sqlfluff:``, no key) are ignored here too. ``-- noqa`` comments are not
config and are left alone. SQLFluff is not imported (policy stays pure); a
test holds this scan equal to SQLFluff's on the same texts.
"""

from dataclasses import dataclass
from typing import Any

from policy.lint_config import (
    SERVICE_OWNED_CORE_KEYS,
    ConfigRejectedError,
    check_setting,
    check_templater,
    coerce_value,
)
from schemas.error_codes import ErrorCode

_PREFIXES = ("-- sqlfluff", "--sqlfluff")


@dataclass(frozen=True)
class Directive:
    """One directive as SQLFluff reads it: ``path`` starts with ``core`` for a top-level key."""

    line: int
    path: tuple[str, ...]
    value: str


class InlineConfigRejectedError(ConfigRejectedError, code=ErrorCode.FORBIDDEN_INLINE_CONFIG):
    """A directive in the file sets what the allow-list refuses; the file is not linted."""


def _splits_on_colon(value: str) -> bool:
    windows_path = len(value) >= 3 and value[1] == ":" and value[2] == "\\"
    json_like = len(value) >= 2 and (value[0], value[-1]) in {("[", "]"), ("{", "}")}
    return not (windows_path or json_like)


def split_directive(text: str) -> tuple[tuple[str, ...], str]:
    """``a:b:c`` -> ``(("a", "b"), "c")``, with SQLFluff's heuristics for values holding colons."""
    path: list[str] = []
    leftover = text
    while ":" in leftover:
        element, _, value = leftover.partition(":")
        path.append(element.strip())
        leftover = value.strip()
        if not _splits_on_colon(leftover):
            break
    return tuple(path), leftover


def find_directives(sql: str) -> list[Directive]:
    """Every config directive SQLFluff would apply to ``sql``, with its 1-based line number."""
    found = []
    for number, raw in enumerate(sql.splitlines(), start=1):
        if not raw.startswith(_PREFIXES):
            continue
        body = raw[2:].strip()
        if not body.startswith("sqlfluff:"):
            continue
        path, value = split_directive(body[len("sqlfluff:") :].strip())
        if path:
            found.append(Directive(number, ("core", *path) if len(path) == 1 else path, value))
    return found


def _check(directive: Directive) -> None:
    *where, key = directive.path
    section = "sqlfluff" if where == ["core"] else ":".join(("sqlfluff", *where))
    check_setting(section, key)
    if section == "sqlfluff" and key in SERVICE_OWNED_CORE_KEYS:
        raise ConfigRejectedError(f"{key!r} is set by the service", code=ErrorCode.FORBIDDEN_CONFIG_KEY)
    if section == "sqlfluff" and key == "templater":
        check_templater(coerce_value(directive.value))


def check_inline_config(sql: str) -> list[Directive]:
    """Refuse the file at its first directive the allow-list refuses; return the allowed ones."""
    directives = find_directives(sql)
    for directive in directives:
        try:
            _check(directive)
        except ConfigRejectedError as exc:
            name = ":".join(directive.path[1:] if directive.path[0] == "core" else directive.path)
            raise InlineConfigRejectedError(
                f"line {directive.line}: the directive -- sqlfluff:{name} is refused: {exc.message}"
            ) from exc
    return directives


def directive_settings(directives: list[Directive]) -> dict[tuple[str, ...], Any]:
    """What the directives set, coerced as SQLFluff coerces them (for tests and reports)."""
    return {d.path: coerce_value(d.value) for d in directives}
