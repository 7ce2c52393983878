"""The environment files' format: only what compose and kustomize read the same way is accepted."""

from pathlib import Path

import pytest

from deploy.env_file import EnvFileError, parse_env, read_env


def test_plain_lines_comments_and_blank_lines() -> None:
    values, problems = parse_env("# a comment\n\nA=1\nB_2=x,y:9092\nEMPTY=\nJSON=[\"https://a\"]\n")
    assert values == {"A": "1", "B_2": "x,y:9092", "EMPTY": "", "JSON": '["https://a"]'}
    assert problems == []


@pytest.mark.parametrize(
    ("line", "name", "reason"),
    [
        ("export A=1", "A", "'export'"),
        ("A='1'", "A", "quoted"),
        ('A="1"', "A", "quoted"),
        ("A=${HOME}/x", "A", "'$'"),
        ("A=1 # note", "A", "' #'"),
        ("A=1 ", "A", "whitespace"),
        ("A", "A", "no '='"),
        ("lower=1", "lower", "not a NAME=value"),
        ("A B=1", "A B", "not a NAME=value"),
    ],
)
def test_lines_the_two_readers_disagree_on_are_refused(line: str, name: str, reason: str) -> None:
    _, problems = parse_env(f"OK=1\n{line}\n", "f.env")
    assert len(problems) == 1, problems
    assert problems[0].name == name
    assert problems[0].message.startswith("f.env:2: ")
    assert reason in problems[0].message


def test_a_name_set_twice_is_refused_and_the_last_value_kept() -> None:
    values, problems = parse_env("A=1\nA=2\n")
    assert values == {"A": "2"}
    assert [(p.name, "set twice" in p.message) for p in problems] == [("A", True)]


def test_crlf_line_endings_are_read_like_lf() -> None:
    assert parse_env("A=1\r\nB=2\r\n") == ({"A": "1", "B": "2"}, [])


def test_an_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(EnvFileError, match=r"missing\.env"):
        read_env(tmp_path / "missing.env")
    with pytest.raises(EnvFileError, match="cannot read"):
        read_env(tmp_path)
    (tmp_path / "latin1.env").write_bytes(b"A=\xe9\n")
    with pytest.raises(EnvFileError, match=r"latin1\.env"):
        read_env(tmp_path / "latin1.env")
