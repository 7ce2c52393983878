"""Writing a job's fixes back: only changed files, never over an edit made while the service worked."""

from pathlib import Path

import pytest

from client.fixes import Fix
from client.fixing import put_back
from client.job_config import JobConfig
from client.plan import Job
from client.write_back import digest


def fix(path: str, sql: str) -> Fix:
    return Fix(file_name=Path(path).name, path=path, fixed=True, fixed_sql=sql, diff="--- a/x\n")


def test_a_file_edited_since_it_was_sent_keeps_the_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"a.sql": tmp_path / "a.sql", "b.sql": tmp_path / "b.sql"}
    for path in files.values():
        path.write_text("select a,b from t\n")
    job = Job(JobConfig("", None, {}), files=list(files.items()))
    sent = {display: digest(path) for display, path in job.files}
    files["b.sql"].write_text("select a, b, c from t\n")  # the user saved while the job ran
    fixed = "SELECT a, b FROM t\n"
    written = put_back(job, [fix("a.sql", fixed), fix("b.sql", fixed)], sent)
    assert written == {"a.sql"}
    assert files["a.sql"].read_text() == fixed
    assert files["b.sql"].read_text() == "select a, b, c from t\n"
    assert capsys.readouterr().err == "b.sql: not written: it changed while the service fixed it\n"
