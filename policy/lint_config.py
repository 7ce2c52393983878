"""What a user-supplied ``.sqlfluff`` text may change: lint settings only, never code.

SQLFluff's config can name Python libraries, macro folders, dbt projects and
templaters that execute code, and it can switch off the parser's own DoS
guards. A job's ``config`` therefore goes through an ALLOW-list: a section or
key not listed here is rejected with a message naming it, rather than being
silently dropped, so the user learns why their setting had no effect.

Parsing mirrors SQLFluff's own INI loader (``=`` only, no interpolation,
case-sensitive keys, the same value coercion) so the dict we return equals
what ``sqlfluff.core.config.loader.load_config_string`` would build, without
importing SQLFluff into the shared contract package.
"""

import configparser
import re
from typing import Any

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError
from schemas.events import LintOptions

MAX_CONFIG_BYTES = 64 * 1024

# Keys of [sqlfluff] that only change what is reported. Service-owned knobs
# (processes, encoding, parser limits, library_path, ...) are left out on purpose.
CORE_KEYS = frozenset(
    {
        "dialect",
        "templater",
        "rules",
        "exclude_rules",
        "warnings",
        "ignore",
        "warn_unused_ignores",
        "ignore_templated_areas",
        "disable_noqa",
        "disable_noqa_except",
        "max_line_length",
        "sql_file_exts",
        "large_file_skip_char_limit",
        "large_file_skip_byte_limit",
    }
)
# Set by the service for each job (lint_overrides); a file's directive beats overrides: it may not set them.
SERVICE_OWNED_CORE_KEYS = frozenset({"large_file_skip_char_limit", "large_file_skip_byte_limit"})
# The parser's DoS guards at the service's values (SQLFluff 4's defaults, pinned against upgrades).
PARSER_LIMITS = {"max_parse_depth": 600, "max_parse_nodes": 100_000, "rust_parser_max_iterations": 3_000_000}
SAFE_TEMPLATERS = frozenset({"raw", "placeholder"})
DEFAULT_TEMPLATER = "raw"

# Sections (full INI names) whose keys are all lint settings; value = allowed keys or None (any).
_SECTIONS: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...] = (
    (re.compile(r"sqlfluff"), CORE_KEYS),
    (re.compile(r"sqlfluff:rules"), None),
    (re.compile(r"sqlfluff:rules:[A-Za-z][A-Za-z0-9_.]{0,63}"), None),
    (re.compile(r"sqlfluff:indentation"), None),
    (re.compile(r"sqlfluff:layout:type:[A-Za-z0-9_]{1,64}"), None),
    (re.compile(r"sqlfluff:templater"), frozenset({"unwrap_wrapped_queries"})),
    (re.compile(r"sqlfluff:templater:placeholder"), None),
)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class _CaseSensitiveParser(configparser.ConfigParser):
    """SQLFluff reads keys case-sensitively; so must we, to build the same dict."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


class ConfigRejectedError(LintServiceError, code=ErrorCode.INVALID_CONFIG):
    """The ``config`` text is not a lint-only ``.sqlfluff`` file we accept."""


def coerce_value(val: str) -> Any:
    """Same typing rules as SQLFluff's INI loader, so results match its own parse."""
    for cast in (int, float):
        try:
            return cast(val)
        except ValueError:
            pass
    cleaned = val.strip().lower()
    return {"true": True, "false": False, "none": None}.get(cleaned, val)


def _allowed_keys(section: str) -> frozenset[str] | None:
    for pattern, keys in _SECTIONS:
        if pattern.fullmatch(section):
            return keys
    raise ConfigRejectedError(
        f"config section [{section}] is not allowed", code=ErrorCode.FORBIDDEN_CONFIG_SECTION
    )


def _check_key(section: str, key: str, allowed: frozenset[str] | None) -> None:
    if key.lower().endswith("_regex"):
        # Evaluated by a backtracking engine on every token, and an oracle on the file's text: refused.
        raise ConfigRejectedError(
            f"config key {key!r} in [{section}] takes a regular expression, which is not allowed",
            code=ErrorCode.FORBIDDEN_CONFIG_KEY,
        )
    forbidden = (
        not _KEY.fullmatch(key)
        or key.endswith(("_path", "_paths"))
        or (allowed is not None and key not in allowed)
    )
    if forbidden:
        raise ConfigRejectedError(
            f"config key {key!r} in [{section}] is not allowed", code=ErrorCode.FORBIDDEN_CONFIG_KEY
        )


def check_setting(section: str, key: str) -> None:
    """Refuse ``key`` of INI ``section`` unless the allow-list lets a user set it (inline directives too)."""
    _check_key(section, key, _allowed_keys(section))


def check_templater(value: Any) -> None:
    """Only templaters that cannot run code."""
    if value not in SAFE_TEMPLATERS:
        raise ConfigRejectedError(
            f"templater {value!r} is not allowed (use one of {sorted(SAFE_TEMPLATERS)})",
            code=ErrorCode.FORBIDDEN_CONFIG_VALUE,
        )


def _read(text: str) -> _CaseSensitiveParser:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise ConfigRejectedError(
            f"config is larger than {MAX_CONFIG_BYTES} bytes", code=ErrorCode.CONFIG_TOO_LARGE
        )
    parser = _CaseSensitiveParser(delimiters="=", interpolation=None)
    try:
        parser.read_string(text, source="<config>")
    except configparser.Error as exc:
        raise ConfigRejectedError(f"config is not a valid INI file: {exc.message}") from exc
    if parser.defaults():
        # [DEFAULT] keys leak into every section, which would bypass the per-section list.
        raise ConfigRejectedError(
            "config section [DEFAULT] is not allowed", code=ErrorCode.FORBIDDEN_CONFIG_SECTION
        )
    return parser


def parse_lint_config(text: str) -> dict[str, Any]:
    """Parse and filter a ``.sqlfluff`` text into SQLFluff's nested config mapping.

    The result is meant for ``FluffConfig(configs=...)``; ``[sqlfluff]`` maps
    to ``"core"`` and ``[sqlfluff:a:b]`` to ``{"a": {"b": ...}}`` as in SQLFluff.
    """
    parser = _read(text)
    result: dict[str, Any] = {}
    for section in parser.sections():
        allowed = _allowed_keys(section)
        path = ("core",) if section == "sqlfluff" else tuple(section.split(":")[1:])
        node = result
        for part in path:
            node = node.setdefault(part, {})
        for key, raw in parser.items(section):
            _check_key(section, key, allowed)
            node[key] = coerce_value(raw)
    check_templater(result.get("core", {}).get("templater", DEFAULT_TEMPLATER))
    return result


def lint_overrides(options: LintOptions) -> dict[str, Any]:
    """Core settings that win over the user's config (``FluffConfig(overrides=...)``).

    The job's explicit options beat the file; the templater defaults to ``raw``
    (SQLFluff's own default, jinja, renders user text as a template); our own
    size policy replaces SQLFluff's silent large-file skip; the parser's limits are ours.
    """
    configured = parse_lint_config(options.config or "").get("core", {})
    overrides: dict[str, Any] = {
        "dialect": options.dialect,
        "templater": configured.get("templater", DEFAULT_TEMPLATER),
        "large_file_skip_byte_limit": 0,
        "large_file_skip_char_limit": 0,
        **PARSER_LIMITS,
    }
    if options.rules:
        overrides["rules"] = ",".join(options.rules)
    if options.exclude_rules:
        overrides["exclude_rules"] = ",".join(options.exclude_rules)
    return overrides


def fluff_config_kwargs(options: LintOptions) -> dict[str, Any]:
    """Everything ``FluffConfig(**fluff_config_kwargs(options))`` needs for one job."""
    return {"configs": parse_lint_config(options.config or ""), "overrides": lint_overrides(options)}
