"""The Locust users and load shape of ``python -m bench.load``; run by Locust only, in its own process.

Three kinds of user, as the service sees them: a CI job posting one SQL text
and polling until it is linted, a CI job uploading a small repository as a
ZIP and polling likewise, and a dashboard polling statuses. Each submitter
reports, besides its HTTP requests, one request of type ``JOB`` per job: the
time from the POST to the first poll that saw a final status, failed when the
job ended other than COMPLETED with the expected tallies or never finished.
Imports only Locust and stdlib modules of this package: nothing here may pull
in our services' Kafka or Faust code under gevent's monkey-patching.
"""

import random
import time
from collections import deque
from typing import Any

import gevent
from locust import FastHttpUser, LoadTestShape, between, events, task
from locust.stats import CSV_STATS_INTERVAL_SEC

from bench.load import payloads
from bench.load.scenarios import (
    JOB_SQL,
    JOB_ZIP,
    LIST_JOBS,
    POLL_STATUS,
    SCENARIOS,
    SUBMIT_SQL,
    SUBMIT_ZIP,
)

FINAL = frozenset({"COMPLETED", "PARTIALLY_COMPLETED", "FAILED"})
POLL_INTERVAL_S = 0.25
JOB_TIMEOUT_S = 60.0
RECENT_JOBS: deque[str] = deque(maxlen=500)  # ids the submitters got, for the status pollers


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--scenario", default="smoke", choices=sorted(SCENARIOS), help="bench.load scenario")


@events.quit.add_listener
def _last_csv_write(**_: Any) -> None:
    """Give Locust's CSV writer one more pass: it writes every second, and jobs finish up to the end."""
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.5)


class JobSubmitter(FastHttpUser):
    """Shared by both submitters: POST a job, then poll it to a final status and report the whole time."""

    abstract = True
    wait_time = between(1, 3)

    def submitted(self, name: str, **kwargs: Any) -> str | None:
        """POST /api/v1/jobs; the job id of a 202, or None (the request is then marked failed)."""
        with self.client.post("/api/v1/jobs", name=name, catch_response=True, **kwargs) as resp:
            if resp.status_code != 202:
                resp.failure(f"HTTP {resp.status_code}: {(resp.text or '')[:200]}")
                return None
            job_id = str(resp.json()["job_id"])
        RECENT_JOBS.append(job_id)
        return job_id

    def follow(self, job_id: str, started: float, name: str, files: int, dirty: bool) -> None:
        """Poll until the job is final; report it as a ``JOB`` request that fails on a wrong outcome."""
        job: dict[str, Any] = {}
        while time.perf_counter() - started < JOB_TIMEOUT_S:
            with self.client.get(f"/api/v1/jobs/{job_id}?size=1", name=POLL_STATUS,
                                 catch_response=True) as resp:
                if resp.status_code != 200:
                    resp.failure(f"HTTP {resp.status_code}: {(resp.text or '')[:200]}")
                else:
                    job = resp.json()
            if job.get("job_status") in FINAL:
                break
            time.sleep(POLL_INTERVAL_S)
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.environment.events.request.fire(
            request_type="JOB", name=name, response_time=elapsed_ms, response_length=0,
            exception=_outcome_error(job, files, dirty), context={},
        )


def _outcome_error(job: dict[str, Any], files: int, dirty: bool) -> Exception | None:
    """Why a finished job is wrong (status, tallies, violations found or not), or None."""
    status = job.get("job_status")
    if status not in FINAL:
        return TimeoutError(f"not final within {JOB_TIMEOUT_S:.0f} s (last status {status})")
    if status != "COMPLETED" or job.get("tasks_succeeded") != files:
        linted = job.get("tasks_succeeded")
        return RuntimeError(f"{status}: {linted}/{files} files linted, error {job.get('error')}")
    violations = job.get("violation_count", 0)
    if (violations > 0) != dirty:
        return RuntimeError(f"expected {'some' if dirty else 'no'} violations, got {violations}")
    return None


class SingleSqlSubmitter(JobSubmitter):
    """Posts one SQL text as JSON (clean and dirty texts in turn) and follows the job."""

    weight = 3

    @task
    def lint_one_text(self) -> None:
        """One job from POST to final status."""
        index = random.randrange(len(payloads.TEXTS))
        started = time.perf_counter()
        job_id = self.submitted(SUBMIT_SQL, json=payloads.sql_body(index, payloads.new_tag()))
        if job_id is not None:
            self.follow(job_id, started, JOB_SQL, 1, payloads.TEXTS[index] not in payloads.CLEAN)


class ZipSubmitter(JobSubmitter):
    """Uploads a small repository as a ZIP (multipart, as the ``sqllint`` client does) and follows the job."""

    weight = 1

    @task
    def lint_an_archive(self) -> None:
        """One archive job from upload to final status."""
        body, content_type = payloads.multipart({"dialect": "ansi"}, "repo.zip",
                                                payloads.zip_bytes(payloads.new_tag()))
        started = time.perf_counter()
        job_id = self.submitted(SUBMIT_ZIP, data=body, headers={"Content-Type": content_type})
        if job_id is not None:
            self.follow(job_id, started, JOB_ZIP, payloads.ZIP_FILES, True)


class StatusPoller(FastHttpUser):
    """A dashboard: lists the newest jobs now and then, and looks at one recent job's status often."""

    weight = 1
    wait_time = between(0.5, 1.5)

    @task(3)
    def poll_one(self) -> None:
        """The status of a job some submitter started (the list when none has yet)."""
        if not RECENT_JOBS:
            self.list_jobs()
            return
        with self.client.get(f"/api/v1/jobs/{random.choice(RECENT_JOBS)}?size=1", name=POLL_STATUS,
                             catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}: {(resp.text or '')[:200]}")

    @task(1)
    def list_jobs(self) -> None:
        """The first page of jobs, newest first."""
        with self.client.get("/api/v1/jobs?page=1&size=20", name=LIST_JOBS, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}: {(resp.text or '')[:200]}")


class ScenarioShape(LoadTestShape):
    """The users of the chosen scenario's stages over ``--run-time`` (its default when not given)."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        """Users and spawn rate now; None ends the run."""
        options = self.runner.environment.parsed_options if self.runner else None
        scenario = SCENARIOS[getattr(options, "scenario", "smoke")]
        run_time = getattr(options, "run_time", None) or scenario.run_time_s
        stage = scenario.stage_at(self.get_run_time(), run_time)
        return None if stage is None else (stage.users, stage.spawn_rate)
