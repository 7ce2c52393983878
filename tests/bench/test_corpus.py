"""The generated slower corpus: long statements, the same files every time, SQL that SQLFluff parses."""

from pathlib import Path

import sqlfluff

from bench.corpus import FIXTURES, Corpus, long_statements, main


def _statements(text: str) -> list[str]:
    return [s for s in text.split(";") if s.strip()]


def test_every_file_is_one_statement_of_at_least_the_asked_lines() -> None:
    made = long_statements(Corpus.load(FIXTURES), files=12, min_lines=50)
    assert len(made) == 12
    for text in made.files.values():
        [statement] = _statements(text)
        assert statement.count("\n") >= 50
    assert len(set(made.files.values())) == 12  # no two files alike


def test_the_same_source_gives_the_same_files(tmp_path: Path) -> None:
    assert main(["long", str(tmp_path / "a"), "--from", str(FIXTURES), "--files", "3"]) == 0
    assert main(["long", str(tmp_path / "b"), "--from", str(FIXTURES), "--files", "3"]) == 0
    first, second = Corpus.load(tmp_path / "a"), Corpus.load(tmp_path / "b")
    assert first == second == long_statements(Corpus.load(FIXTURES), files=3)


def test_sqlfluff_parses_the_generated_statements() -> None:
    made = long_statements(Corpus.load(FIXTURES), files=2, min_lines=50)
    for text in made.files.values():
        found = sqlfluff.lint(text, dialect="ansi")
        assert found  # style findings: these are the fixtures' own layouts
        assert not [v for v in found if v["code"] in ("PRS", "TMP")], text
