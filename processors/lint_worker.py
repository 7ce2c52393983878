"""Code that runs inside the lint worker processes (spawned by pebble).

Everything crossing the process boundary is plain data (a JSON string in, a
dict out) so nothing of ours is pickled. Failures come back as values: a
raised exception would lose its type across the boundary and could not be
told apart from a crashed worker.
"""

import gc
import importlib
import logging
import os
import resource
import signal
import time
from typing import Any

from cachetools import LRUCache

from policy.inline_directives import check_inline_config
from policy.lint_config import ConfigRejectedError, fluff_config_kwargs
from processors.fixing import fix_outcome
from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError, failure
from schemas.events import LintOptions

# Building a Linter loads the dialect and rule set (~1 s); jobs reuse a handful
# of option sets, so a small LRU keeps that cost to once per worker and option set.
LINTER_CACHE_SIZE = 16
_linters: LRUCache[tuple[object, ...], Any] = LRUCache(maxsize=LINTER_CACHE_SIZE)
# Each cached linter's rule pack, by the linter's id (the linter itself kept beside it, so a reused id
# of an evicted linter is never mistaken for it).
_rule_packs: LRUCache[int, tuple[Any, Any]] = LRUCache(maxsize=LINTER_CACHE_SIZE)
_VIOLATION_KEYS = (
    "code",
    "description",
    "name",
    "start_line_no",
    "start_line_pos",
    "end_line_no",
    "end_line_pos",
    "warning",
)
# How SQLFluff words a parse stopped by max_parse_depth (a PRS violation, not an exception). The node
# limit's PRS stays a finding, as sqlfluff lint reports it: it stops large files, not hostile nesting.
_LIMIT_MESSAGES = ("Maximum parse depth exceeded",)


def init_worker(memory_mb: int) -> None:
    """Prepare a fresh worker: Ctrl-C is the parent's business, memory is capped.

    The address-space limit turns a runaway parse into a MemoryError we can
    report for that file, instead of the kernel killing a random process.
    SQLFluff is imported here, once, so the first file does not pay for it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent running at DEBUG/INFO must not get SQLFluff's parse-tree dumps from every file.
    logging.getLogger("sqlfluff").setLevel(logging.WARNING)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    importlib.import_module("sqlfluff.core")


def _linter_for(options: LintOptions) -> Any:
    key = (options.dialect, options.rules, options.exclude_rules, options.config)
    linter = _linters.get(key)  # marks it as recently used
    if linter is not None:
        return linter
    core = importlib.import_module("sqlfluff.core")
    kwargs = fluff_config_kwargs(options)
    try:
        config = core.FluffConfig(**kwargs)
        linter = core.Linter(config=config)
    except (KeyError, ValueError, core.SQLFluffUserError) as exc:
        # An unknown dialect is a KeyError, a bad value a user error: both are the job's options.
        raise ConfigRejectedError(f"SQLFluff rejected the options: {exc}") from exc
    _linters[key] = linter  # evicts the least recently used one past the bound
    return linter


def _lint_records(linter: Any, file_name: str, sql: str) -> list[dict[str, Any]]:
    """``linter.lint_string_wrapped(sql).as_records()``, with the linter's rule pack built once.

    SQLFluff builds the rule pack (every rule instantiated from the config) for
    each string it lints, as the CLI does for each file: a few ms a file. The
    rules keep no state between files, so one pack per linter gives the same
    findings (the fixture tests compare with SQLFluff's own lint).
    """
    linted_dir = importlib.import_module("sqlfluff.core.linter.linted_dir")
    linting_result = importlib.import_module("sqlfluff.core.linter.linting_result")
    pack = _rule_packs.get(id(linter))
    if pack is None or pack[0] is not linter:
        pack = (linter, linter.get_rulepack())
        _rule_packs[id(linter)] = pack
        _freeze_heap()
    parsed = linter.parse_string(sql, fname=file_name)
    linted = linter.lint_parsed(parsed, pack[1], formatter=linter.formatter)
    folder = linted_dir.LintedDir(file_name)
    folder.add(linted)
    result = linting_result.LintingResult()
    result.add(folder)
    return list(result.as_records())


def _freeze_heap() -> None:
    """Take what a new linter built (dialect, rule pack) out of the garbage collector's sight.

    Those objects live as long as the linter, yet the collector walked them again and
    again for every file: freezing them saved 3 to 5 % of the lint CPU on both bench
    corpora. Unfreezing first lets an evicted linter's objects be collected.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _failure(code: ErrorCode, message: str, started: float) -> dict[str, Any]:
    return {
        "status": "FAILURE",
        "violations": [],
        "error": failure(code, message).model_dump(mode="json"),
        "duration_ms": (time.perf_counter() - started) * 1000,
    }


class ParseLimitError(LintServiceError, code=ErrorCode.LINT_PARSE_LIMIT):
    """The parser's depth limit stopped the parse: nothing past it was linted, so there is no result."""


def _check_parse_limit(violations: list[dict[str, Any]]) -> None:
    for v in violations:
        if v.get("code") == "PRS" and str(v.get("description", "")).startswith(_LIMIT_MESSAGES):
            raise ParseLimitError(f"line {v.get('start_line_no')}: {v.get('description')}")


def lint_text(file_name: str, sql: str, options_json: str) -> dict[str, Any]:
    """Lint one file; return the outcome as a plain dict (never raises for a bad file).

    The process's measurements travel with the outcome (``duration_ms``,
    ``linted_bytes``, ``pid``): the parent records them, a child owns no metrics.
    """
    outcome = _lint(file_name, sql, options_json, time.perf_counter())
    outcome["pid"] = os.getpid()
    outcome["linted_bytes"] = len(sql.encode("utf-8", "surrogatepass"))
    return outcome


def lint_batch(files: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Lint several small files one after another: one pickle and one pool round trip for all.

    Each file's outcome is its own (measured alone, a failure as a value), so a
    batch answers exactly what as many :func:`lint_text` calls would.
    """
    return [lint_text(file_name, sql, options_json) for file_name, sql, options_json in files]


def _lint(file_name: str, sql: str, options_json: str, started: float) -> dict[str, Any]:
    try:
        options = LintOptions.model_validate_json(options_json)
        check_inline_config(sql)  # before SQLFluff applies the file's directives over our overrides
        linter = _linter_for(options)
        records = _lint_records(linter, file_name, sql)
        _check_parse_limit(records[0]["violations"] if records else [])
        # A second pass, with fixing on, as `sqlfluff fix` runs it: the violations stay those of `lint`.
        fixed = fix_outcome(linter, file_name, sql) if options.fix else None
    except (ConfigRejectedError, ParseLimitError) as exc:
        return _failure(exc.code, exc.message, started)
    except MemoryError:
        _linters.clear()
        return _failure(ErrorCode.LINT_MEMORY, "SQLFluff ran out of memory on this file", started)
    except RecursionError:
        too_deep = "the file is nested too deeply for SQLFluff's parser"
        return _failure(ErrorCode.LINT_RECURSION, too_deep, started)
    except Exception as exc:  # SQLFluff bugs must fail one file, not the worker.
        return _failure(ErrorCode.LINT_ERROR, f"{type(exc).__name__}: {exc}", started)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the Rust parser's panics (its iteration limit) derive from BaseException
        return _failure(ErrorCode.LINT_PARSER_PANIC, f"SQLFluff's parser gave up: {exc}", started)
    found = records[0]["violations"] if records else []
    return {
        "status": "SUCCESS",
        "violations": [{k: v.get(k) for k in _VIOLATION_KEYS} for v in found],
        "error": None,
        "duration_ms": (time.perf_counter() - started) * 1000,
        "fix": fixed,
    }
