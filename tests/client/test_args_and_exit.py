"""The command line and the exit policy, without a server."""

import io
from pathlib import Path

import pytest

from client.args import FORMATS, parse_args
from client.cli import main
from client.follow import sse_events
from client.report import counted, exit_code

WARN = {"code": "LT01", "description": "d", "start_line_no": 1, "start_line_pos": 1, "warning": True}
ERR = {"code": "CP01", "description": "d", "start_line_no": 2, "start_line_pos": 1, "warning": False}


def records(*violations: dict[str, object]) -> list[dict[str, object]]:
    return [{"filepath": "a.sql", "violations": list(violations)}]


def test_defaults_and_several_paths() -> None:
    args = parse_args(["a.sql", "models", "b.zip"])
    assert args.paths == ["a.sql", "models", "b.zip"]
    assert (args.format, args.fail_on, args.max_violations, args.output) == ("human", "warning", 0, None)


def test_every_report_format_is_offered() -> None:
    assert set(FORMATS) == {"human", "json", "sarif", "junit", "github", "gitlab", "checkstyle"}
    for fmt in FORMATS:
        assert parse_args(["--format", fmt, "a.sql"]).format == fmt


def test_several_reports_from_one_lint() -> None:
    args = parse_args(["--report", "gitlab=gl-code-quality-report.json", "--report", "junit=out/j.xml", "."])
    assert args.report == [("gitlab", Path("gl-code-quality-report.json")), ("junit", Path("out/j.xml"))]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: PATH"),
        (["-", "a.sql"], "- (stdin) cannot be combined with other paths"),
        (["--stdin-filename", "x.sql", "a.sql"], "--stdin-filename needs - as the path"),
        (["--max-violations", "-1", "a.sql"], "must be 0 or more"),
        (["--fail-on", "sometimes", "a.sql"], "invalid choice: 'sometimes'"),
        (["--format", "xml", "a.sql"], "invalid choice: 'xml'"),
        (["--report", "xml=a.xml", "a.sql"], "expected FORMAT=FILE with FORMAT one of human, json"),
        (["--report", "junit", "a.sql"], "expected FORMAT=FILE"),
        (["--config", "/nonexistent/.sqlfluff", "a.sql"], "--config /nonexistent/.sqlfluff: no such file"),
        (["--fix", "--diff", "a.sql"], "argument --diff: not allowed with argument --fix"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_path_that_is_not_sql_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert main([str(tmp_path / "a.txt")]) == 2
    assert "is not a .sql file, a .zip or a folder" in capsys.readouterr().err


def test_fail_on_counts() -> None:
    both = records(WARN, ERR, ERR)
    assert counted(both, "warning") == 3
    assert counted(both, "error") == 2
    assert counted(both, "never") == 0


@pytest.mark.parametrize(
    ("violations", "fail_on", "maximum", "code"),
    [
        ((), "warning", 0, 0),
        ((WARN,), "warning", 0, 1),
        ((WARN,), "error", 0, 0),
        ((WARN, ERR), "error", 0, 1),
        ((WARN, ERR), "never", 0, 0),
        ((ERR, ERR), "warning", 2, 0),
        ((ERR, ERR, ERR), "warning", 2, 1),
        ((WARN, ERR, ERR), "error", 2, 0),
    ],
)
def test_exit_policy(
    violations: tuple[dict[str, object], ...], fail_on: str, maximum: int, code: int
) -> None:
    assert exit_code("COMPLETED", records(*violations), fail_on, maximum) == code


def test_a_failed_file_or_job_is_2_under_every_policy() -> None:
    failed = [{"filepath": "b.sql", "violations": [], "error": {"code": "FILE_TOO_LARGE", "message": "big"}}]
    for fail_on in ("warning", "error", "never"):
        assert exit_code("PARTIALLY_COMPLETED", failed, fail_on, 100) == 2
        assert exit_code("FAILED", [], fail_on, 100) == 2


def test_server_sent_events_are_read_as_the_standard_says() -> None:
    stream = io.BytesIO(
        b": ping\n\n"
        b"id: 1\nevent: file\ndata: {\"file_name\": \"a.sql\"}\n\n"
        b"id: 2\r\nevent: progress\r\ndata: {\"done\": 1,\r\ndata:  \"task_count\": 2}\r\n\r\n"
        b"data: no name\n\n"
        b"id: 3\nevent: end\ndata:{}\n\n"
    )
    assert list(sse_events(stream)) == [
        ("file", '{"file_name": "a.sql"}', "1"),
        ("progress", '{"done": 1,\n "task_count": 2}', "2"),
        ("message", "no name", "2"),
        ("end", "{}", "3"),
    ]
