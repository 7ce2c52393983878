import threading

import pytest

from processors.lru import BoundedLRU


def test_oldest_unused_entry_is_evicted_first() -> None:
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the least recently used
    lru.put("c", 3)
    assert "b" not in lru
    assert (lru.get("a"), lru.get("c"), len(lru)) == (1, 3, 2)


def test_put_refreshes_an_existing_key() -> None:
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    lru.put("a", 10)
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (10, None, 3)


def test_discard_and_missing_keys() -> None:
    lru: BoundedLRU[str, int] = BoundedLRU(3)
    lru.put("a", 1)
    lru.discard("a")
    lru.discard("never")
    assert lru.get("a") is None
    assert len(lru) == 0


def test_bound_holds_under_concurrent_writers() -> None:
    lru: BoundedLRU[int, int] = BoundedLRU(100)

    def fill(start: int) -> None:
        for i in range(start, start + 5000):
            lru.put(i, i)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(lru) == 100


def test_zero_entries_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BoundedLRU(0)
