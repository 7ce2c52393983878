"""SQLFluff's fix of one file, decided the way ``sqlfluff fix`` decides it, and its unified diff.

Runs inside a lint process (the same time and memory limits as the lint).
``sqlfluff fix PATH`` (``Linter.lint_paths(fix=True, apply_fixes=True)``) lints
with fixing on, leaves a file with templating or parsing errors untouched
unless ``fix_even_unparsable`` is set (off by default; the service's config
allow-list does not let a job set it), writes the file only when it has
fixable violations, and only when SQLFluff reports the patched string as a
success. Mirroring those three rules is what makes our fixed text equal the
file ``sqlfluff fix`` leaves on disk, byte for byte.
"""

import difflib
import importlib
from dataclasses import dataclass
from typing import Any

NO_NEWLINE = "\\ No newline at end of file\n"


@dataclass(frozen=True)
class FixedFile:
    """A file's fix as the lint process made it, before the parent decides how it travels."""

    fixed: bool
    fixed_sql: str
    diff: str

    @classmethod
    def from_worker(cls, value: dict[str, Any] | None) -> "FixedFile | None":
        """Rebuild it from the plain dict :func:`fix_outcome` returned (``None``: no fix was asked)."""
        if value is None:
            return None
        return cls(bool(value["fixed"]), str(value["fixed_sql"]), str(value["diff"]))


def fixed_text(linter: Any, file_name: str, sql: str) -> str:
    """The text ``sqlfluff fix`` would write for ``sql`` (``sql`` itself when it would not write).

    SQLFluff is imported on first use, as in :mod:`processors.lint_worker`: the
    parent process imports this module too and never lints.
    """
    blocking_types = importlib.import_module("sqlfluff.core.linter.linted_file").TMP_PRS_ERROR_TYPES
    linted = linter.lint_string(sql, fname=file_name, fix=True)
    blocked = linted.num_violations(types=blocking_types, filter_ignore=False, filter_warning=False)
    if blocked and not linter.config.get("fix_even_unparsable"):
        return sql
    if linted.num_violations(fixable=True, filter_warning=False) == 0:
        return sql
    text, success = linted.fix_string()
    return text if success else sql


def _lines(text: str) -> list[str]:
    """Lines as git sees them: split at newlines only (``str.splitlines`` also splits at form feeds)."""
    parts = text.split("\n")
    return [f"{part}\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def unified_diff(original: str, fixed: str, file_name: str) -> str:
    r"""A patch ``git apply`` and ``patch -p1`` accept: ``a/``/``b/`` headers, marked missing final newlines.

    difflib leaves a last line without its newline glued to whatever follows,
    so such lines get git's ``\ No newline at end of file`` marker.
    """
    lines = difflib.unified_diff(
        _lines(original),
        _lines(fixed),
        fromfile=f"a/{file_name}",
        tofile=f"b/{file_name}",
    )
    return "".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines)


def fix_outcome(linter: Any, file_name: str, sql: str) -> dict[str, Any]:
    """The fix of one file as plain data for the parent: ``fixed``, ``fixed_sql``, ``diff``."""
    fixed = fixed_text(linter, file_name, sql)
    changed = fixed != sql
    diff = unified_diff(sql, fixed, file_name) if changed else ""
    return {"fixed": changed, "fixed_sql": fixed, "diff": diff}
