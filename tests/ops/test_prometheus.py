"""A real Prometheus scraping a running stack: jobs counted end to end, every worker family scraped.

Prometheus (Debian's package, ``infra/tools/prometheus.sh``) scrapes the
ingest's ``/metrics`` and both workers' metrics ports every second. The test
sends jobs (one of them twice, for a cache hit) and an undecodable message
(for the dead-letter counters), reads the jobs back with PromQL, asks for
each worker family once, and prints what a scrape of each service costs.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from confluent_kafka import Producer

from harness.stack import Stack, running
from schemas.topics import TopicNames
from tests.ops.conftest import ops_stack_settings
from tests.ops.tools import prometheus, promql, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]
JOBS = 5  # four different texts, then the first again: a cache hit
FAMILIES = {
    "processors": ("sql_linting_tasks_total", "sql_linting_lint_duration_seconds_bucket",
                   "sql_linting_linted_bytes_total", "sql_linting_cache_hits_total",
                   "sql_linting_cache_misses_total", "sql_linting_lint_processes", "sql_linting_consumer_lag",
                   "sql_linting_rebalances_total", "sql_linting_dead_letters_total"),
    "sink": ("sql_linting_jobs_total", "sql_linting_sink_batch_size_bucket",
             "sql_linting_sink_write_duration_seconds_bucket", "sql_linting_sink_events_written_total",
             "sql_linting_sink_db_retries_total", "sql_linting_consumer_lag", "sql_linting_rebalances_total",
             "sql_linting_dead_letters_total"),
}


def _send_jobs(stack: Stack) -> None:
    texts = [f"select a, b from t{i} where x = {i}\n" for i in range(JOBS - 1)]
    for sql in [*texts, texts[0]]:
        status, job = stack.request("POST", "/api/v1/jobs", {"sql_content": sql, "dialect": "ansi"})
        assert status == 202, job
        assert stack.wait_job(job["job_id"])["job_status"] == "COMPLETED"


def _park_one(kafka: str, topics: TopicNames) -> None:
    producer = Producer({"bootstrap.servers": kafka})
    producer.produce(topics.jobs, key=b"not-a-job", value=b"\xffnot json")
    assert producer.flush(30) == 0


def _one(port: int, query: str) -> float:
    result = promql(port, query)
    return float(result[0]["value"][1]) if result else -1.0


def test_prometheus_counts_the_jobs_and_scrapes_every_worker_family(
    kafka_bootstrap: str, topic_names: TopicNames, tmp_path: Path
) -> None:
    settings = ops_stack_settings(kafka_bootstrap, tmp_path, topic_names)
    with running(settings) as stack:
        targets = {"ingest": int(urlsplit(stack.base_url).port or 0),
                   "processors": int(stack.env["PROCESSORS_METRICS_PORT"]),
                   "sink": int(stack.env["SINK_METRICS_PORT"])}
        with prometheus(tmp_path, targets) as port:
            wait_for(lambda: _one(port, "count(up == 1)") == 3, 30, "three targets up")
            _send_jobs(stack)
            _park_one(kafka_bootstrap, topic_names)
            wait_for(lambda: _one(port, "sum(sql_linting_jobs_total)") == JOBS, 30, "the jobs in prometheus")
            assert _one(port, 'sum(sql_linting_jobs_total{status="COMPLETED"})') == JOBS
            wait_for(lambda: _one(port, "sum(sql_linting_dead_letters_total)") == 2, 30, "both dead letters")
            assert _one(port, "sum(sql_linting_cache_hits_total)") == 1
            assert _one(port, 'sum(sql_linting_tasks_total{status="SUCCESS"})') == JOBS
            for job, families in FAMILIES.items():
                for family in families:
                    assert promql(port, f'{family}{{job="{job}"}}'), f"{family} of {job} not scraped"
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
