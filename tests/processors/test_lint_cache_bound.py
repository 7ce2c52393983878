"""The lint cache's bound: least recently used entries go first, whatever thread fills it."""

import threading

import pytest

from processors.lint_cache import LintCache
from schemas.codec import encode
from schemas.events import CachedLint, Violation

LT01 = Violation(code="LT01", description="d", name="layout.spacing", start_line_no=1, start_line_pos=9)


def _key(n: int) -> str:
    return f"{n:064x}"


def _cache(max_entries: int) -> LintCache:
    return LintCache(max_entries, sqlfluff_version="4.5.0")


def test_oldest_unused_entry_is_evicted_first() -> None:
    cache = _cache(2)
    a = cache.remember(_key(1), ())
    cache.remember(_key(2), ())
    assert cache.get(a.key) == a  # key 2 is now the least recently used
    c = cache.remember(_key(3), ())
    assert cache.get(_key(2)) is None
    assert (cache.get(a.key), cache.get(c.key), len(cache)) == (a, c, 2)


def test_remembering_again_refreshes_an_existing_key() -> None:
    cache = _cache(2)
    cache.remember(_key(1), ())
    cache.remember(_key(2), ())
    again = cache.remember(_key(1), (LT01,))
    c = cache.remember(_key(3), ())
    assert (cache.get(_key(1)), cache.get(_key(2)), cache.get(_key(3))) == (again, None, c)


def test_tombstones_and_missing_keys() -> None:
    cache = _cache(3)
    cache.remember(_key(1), ())
    cache.ingest(_key(1).encode(), None)
    cache.ingest(_key(9).encode(), None)
    assert cache.get(_key(1)) is None
    assert len(cache) == 0


def test_bound_holds_under_concurrent_writers() -> None:
    cache = _cache(100)

    def fill(start: int) -> None:
        for i in range(start, start + 5000):
            entry = CachedLint(key=_key(i), sqlfluff_version="4.5.0")
            cache.ingest(entry.key.encode(), encode(entry))

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 100


def test_zero_entries_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LintCache(0)
