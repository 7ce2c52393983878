"""The recovery scenario's audit: files without a result are lost, results beyond one per file duplicated."""

from collections import Counter
from pathlib import Path

from bench.common import Context
from bench.corpus import Corpus
from bench.recovery import Tally, run_corpus, tally


def test_every_file_once_is_neither_lost_nor_duplicated() -> None:
    assert tally(3, Counter({"a": 1, "b": 1, "c": 1})) == Tally(lost=0, duplicated=0)


def test_missing_files_are_lost_and_repeats_duplicated() -> None:
    assert tally(4, Counter({"a": 3, "b": 1})) == Tally(lost=2, duplicated=2)


def test_a_longer_run_cycles_the_corpus_into_distinct_files(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("select 1\n")
    (tmp_path / "b.sql").write_text("select 2\n")
    corpus = Corpus.load(tmp_path)
    ctx = Context(corpus, tmp_path, "ansi", tmp_path, "localhost:1", "sqlite", 1, 1, "u")
    assert run_corpus(ctx) is corpus  # by default, the corpus itself
    ctx.options["recovery_files"] = 5
    longer = run_corpus(ctx)
    assert len(longer) == 5 and len(set(longer.files.values())) == 5  # no cache could answer a copy
