"""The load scenarios: the thresholds' verdicts, the scenario table, the payloads, and one real smoke run."""

import email.parser
import io
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import sqlfluff

from bench.load import payloads
from bench.load.runner import REPO, Reports, locust_command
from bench.load.scenarios import (
    JOB_NAMES,
    JOB_SQL,
    JOB_ZIP,
    LIST_JOBS,
    POLL_STATUS,
    SCENARIOS,
    SUBMIT_SQL,
    SUBMIT_ZIP,
    Limits,
    Scenario,
)
from bench.load.stages import stage_figures
from bench.load.thresholds import AGGREGATED, StatRow, evaluate, failed, jobs_completed, parse_stats

HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
          "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
          "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%")
KINDS = {SUBMIT_SQL: "POST", SUBMIT_ZIP: "POST", POLL_STATUS: "GET", LIST_JOBS: "GET",
         JOB_SQL: "JOB", JOB_ZIP: "JOB", AGGREGATED: ""}


def csv_line(name: str, requests: int, failures: int, p95: str) -> str:
    pct = f"20,25,30,35,40,{p95},{p95},{p95},{p95},{p95},{p95}"
    return f"{KINDS[name]},{name},{requests},{failures},20,22.5,3,90,10.0,2.5,0.0,{pct}"


def stats(**overrides: tuple[int, int, str]) -> dict[str, StatRow]:
    """Stats of a healthy run (as Locust writes them), with some names' (requests, failures, p95) changed."""
    base = {name: (200, 0, "50") for name in KINDS}
    base[JOB_SQL] = base[JOB_ZIP] = (150, 0, "900")
    base.update({name.replace("_", " "): value for name, value in overrides.items()})
    return parse_stats("\n".join([HEADER, *(csv_line(n, *v) for n, v in base.items())]) + "\n")


LIMITS = SCENARIOS["load"].limits


def test_parse_stats_reads_counts_and_percentiles_and_na_as_none() -> None:
    rows = parse_stats(f"{HEADER}\n{csv_line(POLL_STATUS, 0, 0, 'N/A')}\n{csv_line(JOB_SQL, 12, 1, '850')}\n")
    assert rows[POLL_STATUS].p95 is None
    assert rows[JOB_SQL] == StatRow("JOB", JOB_SQL, 12, 1, 2.5, 20.0, 850.0, 850.0)
    assert rows[JOB_SQL].error_rate == pytest.approx(1 / 12)


def test_a_healthy_run_passes_every_limit() -> None:
    verdicts = evaluate(stats(), LIMITS)
    assert failed(verdicts) == []
    assert {v.metric for v in verdicts} >= {f"{name}: p95 ms" for name in LIMITS.p95_ms}
    assert jobs_completed(stats()) == 300


def test_a_slow_p95_fails_naming_the_request_type() -> None:
    bad = failed(evaluate(stats(poll_status=(200, 0, "5000")), LIMITS))
    assert [(v.metric, v.measured) for v in bad] == [("poll status: p95 ms", 5000.0)]


def test_errors_fail_the_request_type_and_the_overall_rate() -> None:
    bad = failed(evaluate(stats(submit_zip=(200, 20, "60"), Aggregated=(1300, 20, "60")), LIMITS))
    assert [v.metric for v in bad] == ["submit zip: error rate", "all requests: error rate"]


def test_failed_jobs_count_against_the_job_and_the_minimum() -> None:
    limits = replace(LIMITS, min_jobs=250)
    bad = failed(evaluate(stats(job_done_zip=(150, 140, "900")), limits))
    assert [v.metric for v in bad] == ["job done zip: error rate", "jobs completed (min)"]


def test_a_request_type_never_seen_fails() -> None:
    rows = stats()
    del rows[SUBMIT_ZIP]
    assert [v.metric for v in failed(evaluate(rows, LIMITS))] == ["submit zip: requests"]


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=list(SCENARIOS))
def test_every_scenario_is_well_formed(scenario: Scenario) -> None:
    ends = [stage.until for stage in scenario.stages]
    assert ends == sorted(ends) and ends[-1] == 1.0
    assert all(stage.users >= 3 and stage.spawn_rate > 0 for stage in scenario.stages)  # one of each user
    assert set(scenario.limits.p95_ms) == {SUBMIT_SQL, SUBMIT_ZIP, POLL_STATUS, LIST_JOBS, *JOB_NAMES}
    assert isinstance(scenario.limits, Limits) and scenario.limits.min_jobs > 0
    assert scenario.stage_at(0, scenario.run_time_s) == scenario.stages[0]
    assert scenario.stage_at(scenario.run_time_s, scenario.run_time_s) is None


def test_the_table_holds_the_four_scenarios_with_their_sizes() -> None:
    assert sorted(SCENARIOS) == ["load", "ramp", "smoke", "soak", "spike"]
    assert [SCENARIOS[n].run_time_s for n in ("smoke", "load", "spike", "soak")] == [30, 120, 60, 300]
    ramp = [stage.users for stage in SCENARIOS["ramp"].stages]
    assert ramp == sorted(ramp) and ramp[-1] > SCENARIOS["spike"].peak_users  # beyond what the gates load
    spike = SCENARIOS["spike"]
    assert spike.peak_users >= 3 * spike.stages[0].users == 3 * spike.stages[-1].users
    assert spike.stage_at(0.5 * 60, 60).users == spike.peak_users
    assert SCENARIOS["smoke"].limits.max_error_rate == 0


@pytest.mark.parametrize("text", payloads.TEXTS)
def test_clean_texts_have_no_violations_and_dirty_ones_do(text: str) -> None:
    codes = {v["code"] for v in sqlfluff.lint(payloads.tagged(text, payloads.new_tag()), dialect="ansi")}
    assert (not codes) == (text in payloads.CLEAN), codes


def test_the_zip_and_its_upload_body_parse_with_the_standard_readers() -> None:
    data = payloads.zip_bytes("t1")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert len(names) == payloads.ZIP_FILES and all(n.endswith(".sql") for n in names)
        assert archive.read(names[0]).decode().startswith("-- load t1 0\n")
    body, content_type = payloads.multipart({"dialect": "ansi"}, "repo.zip", data)
    message = email.parser.BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.get_payload()}
    assert parts["dialect"].get_payload() == "ansi"
    assert parts["file"].get_payload(decode=True) == data


def test_the_locust_command_is_headless_bounded_and_reports_csv_and_html(tmp_path: Path) -> None:
    reports = Reports(tmp_path, "spike")
    command = locust_command(SCENARIOS["spike"], "http://h:1", 42, reports, 7)
    flags = set(command)
    assert {"--headless", "--only-summary", "--csv-full-history"} <= flags
    assert command[command.index("--run-time") + 1] == "42s"
    assert command[command.index("--stop-timeout") + 1] == "7"
    assert command[command.index("--csv") + 1] == str(tmp_path / "spike")
    assert command[command.index("--html") + 1] == str(tmp_path / "spike.html")


@pytest.mark.integration
@pytest.mark.timeout(90)
def test_smoke_against_a_private_stack_completes_jobs_without_failures(kafka_bootstrap: str,
                                                                       tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.load", "smoke", "--stack", "--kafka", kafka_bootstrap, "--db", "sqlite",
         "--run-time", "15", "--stop-timeout", "15", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=85, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    reports = Reports(tmp_path / "smoke", "smoke")
    assert reports.html.stat().st_size > 0 and reports.summary.exists()
    rows = parse_stats(reports.stats.read_text())
    assert rows[AGGREGATED].requests > 0 and rows[AGGREGATED].failures == 0
    assert all(rows[name].requests - rows[name].failures >= 1 for name in JOB_NAMES), rows
    assert "passed" in proc.stdout


def history_line(second: int, users: int, name: str, total: int, failed: int, p95: str) -> str:
    pct = ",".join([p95] * 11)
    return f"{1000 + second},{users},{KINDS[name]},{name},1.0,0.0,{pct},{total},{failed},1,1,1,1,1"


def test_stage_figures_give_each_stage_its_completion_rate_and_last_job_p95() -> None:
    header = ("Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
              "99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
              "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
              "Total Average Content Size")
    lines = [header, history_line(0, 0, AGGREGATED, 0, 0, "N/A"),
             history_line(9, 5, JOB_SQL, 40, 0, "800"), history_line(18, 5, JOB_SQL, 60, 0, "900"),
             history_line(18, 5, JOB_ZIP, 20, 2, "1500"),  # failed jobs are not completions
             history_line(30, 20, JOB_SQL, 120, 0, "3000"), history_line(42, 20, JOB_SQL, 180, 0, "5000"),
             history_line(60, 5, JOB_SQL, 210, 0, "N/A")]
    figures = stage_figures("\n".join(lines) + "\n", SCENARIOS["spike"], 60)
    assert [(f.users, f.start_s, f.end_s) for f in figures] == [(5, 0, 18), (20, 18, 42), (5, 42, 60)]
    assert [f.jobs_per_s for f in figures] == [round(78 / 18, 2), round(120 / 24, 2), round(30 / 18, 2)]
    assert [f.job_p95_ms for f in figures] == [900.0, 5000.0, None]
    assert stage_figures(header + "\n", SCENARIOS["spike"], 60) == []
