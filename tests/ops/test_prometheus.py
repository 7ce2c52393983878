"""A real Prometheus over a running stack: jobs counted end to end, every family, the dashboard, the alerts.

Prometheus (Debian's package, ``infra/tools/prometheus.sh``) scrapes the
ingest's ``/metrics`` and both workers' metrics ports every second, and
evaluates ``alerts.yml``. The test sends jobs (one of them twice, for a cache
hit) and an undecodable message (for the dead-letter counters), reads the jobs
back with PromQL, asks for each family once, runs every query of the Grafana
dashboard over the test's time range the way Grafana would (its variables
expanded), checks that every alert rule evaluates cleanly, and prints what a
scrape of each service costs.
"""

import math
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from confluent_kafka import Producer

from harness.stack import Stack, running
from schemas.topics import TopicNames
from tests.ops.conftest import ops_stack_settings
from tests.ops.tools import (
    ROOT,
    dashboard_targets,
    grafana_expr,
    prometheus,
    promql,
    promql_range,
    rule_groups,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]
MONITORING = ROOT / "infra" / "monitoring"
ALERTS = MONITORING / "prometheus" / "alerts.yml"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "sqllint.json"
SCRAPE_S = 1  # tools.prometheus scrapes every second: Grafana's minimum interval for this data source
HOST_FAMILIES = tuple(f"sql_linting_host_{what}_percent" for what in ("cpu", "memory", "disk"))
JOBS = 5  # four different texts, then the first again: a cache hit
FAMILIES = {
    "processors": ("sql_linting_tasks_total", "sql_linting_lint_duration_seconds_bucket",
                   "sql_linting_linted_bytes_total", "sql_linting_cache_hits_total",
                   "sql_linting_cache_misses_total", "sql_linting_lint_processes", "sql_linting_consumer_lag",
                   "sql_linting_rebalances_total", "sql_linting_dead_letters_total"),
    "sink": ("sql_linting_jobs_total", "sql_linting_sink_batch_size_bucket",
             "sql_linting_sink_write_duration_seconds_bucket", "sql_linting_sink_events_written_total",
             "sql_linting_sink_db_retries_total", "sql_linting_consumer_lag", "sql_linting_rebalances_total",
             "sql_linting_dead_letters_total", *HOST_FAMILIES),
    "ingest": ("sqllint_http_requests_total", "sql_linting_request_duration_seconds_bucket",
               "sqllint_job_accept_seconds_bucket", "sqllint_jobs_accepted_total", "sql_linting_active_jobs",
               "sql_linting_workers_alive"),
}


# The labelled families born with the first job: scraped before the other jobs come.
FIRST_JOB = ("sqllint_jobs_accepted_total", "sql_linting_tasks_total", "sql_linting_jobs_total",
             "sql_linting_lint_duration_seconds_count", "sql_linting_sink_events_written_total")


def _send_jobs(stack: Stack, port: int) -> None:
    """The first job alone, then the others once Prometheus holds its series.

    A labelled counter is born with its first increment, which ``rate()`` never sees: had every
    lint fallen between two scrapes, the dashboard's rates would rightly read NaN. Traffic that
    goes on after the first scrape is what a dashboard watches.
    """
    texts = [f"select a, b from t{i} where x = {i}\n" for i in range(JOBS - 1)]
    for n, sql in enumerate([*texts, texts[0]]):
        status, job = stack.request("POST", "/api/v1/jobs", {"sql_content": sql, "dialect": "ansi"})
        assert status == 202, job
        assert stack.wait_job(job["job_id"])["job_status"] == "COMPLETED"
        if n == 0:
            wait_for(lambda: all(promql(port, family) for family in FIRST_JOB), 30, "the first job's series")


def _park_one(kafka: str, topics: TopicNames) -> None:
    producer = Producer({"bootstrap.servers": kafka})
    producer.produce(topics.jobs, key=b"not-a-job", value=b"\xffnot json")
    assert producer.flush(30) == 0


def _one(port: int, query: str) -> float:
    result = promql(port, query)
    return float(result[0]["value"][1]) if result else -1.0


def _dashboard_gaps(port: int, since: float) -> list[str]:
    """Every query of every panel over ``[since, now]``; the ones without a series with a number."""
    now = time.time()
    gaps = []
    for panel, target in dashboard_targets(DASHBOARD):
        query, step = grafana_expr(target["expr"], now - since, SCRAPE_S)
        series = promql_range(port, query, since, now, step)
        if not any(not math.isnan(float(v)) for row in series for _, v in row["values"]):
            gaps.append(f"{panel['title']} / {target['refId']}: {query} over {since}..{now} -> {series}")
    return gaps


def _rules_evaluated(port: int) -> list[dict[str, Any]] | None:
    groups = rule_groups(port)
    rules = [rule for group in groups for rule in group["rules"]]
    done = rules and all(not rule["lastEvaluation"].startswith("0001") for rule in rules)
    return groups if done else None


def _check_rules(port: int) -> None:
    """Every group of alerts.yml loaded, every rule evaluated against the real series without an error."""
    groups = wait_for(lambda: _rules_evaluated(port), 30, "every rule evaluated")
    wanted = {group["name"]: len(group["rules"]) for group in yaml.safe_load(ALERTS.read_text())["groups"]}
    assert {group["name"]: len(group["rules"]) for group in groups} == wanted
    for group in groups:
        for rule in group["rules"]:
            assert (rule["health"], rule.get("lastError", "")) == ("ok", ""), (group["name"], rule)


def test_prometheus_counts_the_jobs_and_scrapes_every_worker_family(
    kafka_bootstrap: str, topic_names: TopicNames, tmp_path: Path
) -> None:
    settings = ops_stack_settings(kafka_bootstrap, tmp_path, topic_names)
    with running(settings) as stack:
        targets = {"ingest": int(urlsplit(stack.base_url).port or 0),
                   "processors": int(stack.env["PROCESSORS_METRICS_PORT"]),
                   "sink": int(stack.env["SINK_METRICS_PORT"])}
        with prometheus(tmp_path, targets, rules=ALERTS) as port:
            since = time.time()
            wait_for(lambda: _one(port, "count(up == 1)") == 3, 30, "three targets up")
            _send_jobs(stack, port)
            _park_one(kafka_bootstrap, topic_names)
            wait_for(lambda: _one(port, "sum(sql_linting_jobs_total)") == JOBS, 30, "the jobs in prometheus")
            assert _one(port, 'sum(sql_linting_jobs_total{status="COMPLETED"})') == JOBS
            wait_for(lambda: _one(port, "sum(sql_linting_dead_letters_total)") == 2, 30, "both dead letters")
            assert _one(port, "sum(sql_linting_cache_hits_total)") == 1
            assert _one(port, 'sum(sql_linting_tasks_total{status="SUCCESS"})') == JOBS
            for job, families in FAMILIES.items():
                for family in families:
                    assert promql(port, f'{family}{{job="{job}"}}'), f"{family} of {job} not scraped"
            assert _one(port, "min(sql_linting_workers_alive)") == 1  # one processors and one sink worker
            # The dead letters came last: a few scrapes more, and every rate window holds the activity.
            wait_for(lambda: _one(port, "min(count_over_time(sql_linting_dead_letters_total[10s]))") >= 5, 30,
                     "five scrapes since the last dead letter")
            gaps = _dashboard_gaps(port, since)
            assert not gaps, "dashboard queries without data:\n" + "\n".join(gaps)
            _check_rules(port)
            wait_for(lambda: _one(port, "min(count_over_time(scrape_duration_seconds[20s]))") >= 10, 30,
                     "ten scrapes of each service")
            costs = {row["metric"]["job"]: float(row["value"][1]) * 1000 for row in promql(
                port, "avg by (job) (avg_over_time(scrape_duration_seconds[20s]))")}
            samples = {row["metric"]["job"]: float(row["value"][1]) for row in promql(
                port, "max by (job) (scrape_samples_scraped)")}
    print("scrape cost, ms per scrape (mean of the last 20 s):",
          {job: round(ms, 2) for job, ms in sorted(costs.items())}, "samples per scrape:", samples)
    assert set(costs) == set(targets)
    assert all(ms < 250 for ms in costs.values()), costs
