"""``sqllint top`` is a command only as the first argument; a path named ``top`` is still linted."""

from pathlib import Path

import pytest

from client.cli import main, parse_top_args


def test_top_options() -> None:
    args = parse_top_args(["--url", "http://h:1", "--interval", "0.5"])
    assert (args.url, args.interval) == ("http://h:1", 0.5)
    assert parse_top_args([]).interval == 2.0
    with pytest.raises(SystemExit):
        parse_top_args(["--interval", "0"])


@pytest.mark.parametrize("argv", [["--", "top"], ["./top"], ["--dialect", "ansi", "top"]])
def test_a_path_named_top_goes_to_the_linter(argv: list[str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    # Neither .sql nor .zip: refused by the linter, which shows it was not taken for the dashboard.
    (tmp_path / "top").write_text("not sql")
    assert main(argv) == 2
    assert "top is not a .sql file, a .zip or a folder" in capsys.readouterr().err
