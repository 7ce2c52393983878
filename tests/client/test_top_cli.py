"""``sqllint top`` is a command only as the first argument; a path named ``top`` is still linted."""

from pathlib import Path

import pytest

from client.cli import main, parse_top_args
from client.top.app import TopApp
from harness.resources import free_port


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


async def test_an_unreachable_service_is_named_on_screen_not_fatal() -> None:
    app = TopApp(f"http://127.0.0.1:{free_port()}", interval=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.refreshes < 2:
            await pilot.pause(0.1)
        assert app.snapshot is not None and app.snapshot.workers is None
        assert any("cannot reach" in error for error in app.snapshot.errors)
        assert "workers unknown" in str(app.status.render())
        await pilot.press("q")
    assert app.return_code == 0
