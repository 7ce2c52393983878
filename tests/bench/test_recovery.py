"""The recovery scenario's audit: files without a result are lost, results beyond one per file duplicated."""

from collections import Counter

from bench.recovery import Tally, tally


def test_every_file_once_is_neither_lost_nor_duplicated() -> None:
    assert tally(3, Counter({"a": 1, "b": 1, "c": 1})) == Tally(lost=0, duplicated=0)


def test_missing_files_are_lost_and_repeats_duplicated() -> None:
    assert tally(4, Counter({"a": 3, "b": 1})) == Tally(lost=2, duplicated=2)
