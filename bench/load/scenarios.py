"""The frozen table of load scenarios: how many users, for how long, and what counts as a pass.

Stage ends are fractions of the run time, so ``--run-time`` stretches or
shrinks a scenario without changing its shape. The limits were sized on a
2-core machine that also runs the broker, MariaDB and the three services (see
docs/performance.md, "Load scenarios (Locust)"): they pass there with margin,
so a failure means the service got slower, not that the machine is small.
Stdlib only: the locustfile imports this module inside Locust's gevent process.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Request names, shared by the locustfile (which reports them) and the thresholds (which judge them).
SUBMIT_SQL = "submit sql"
SUBMIT_ZIP = "submit zip"
POLL_STATUS = "poll status"
LIST_JOBS = "list jobs"
# End to end, from the first byte of the POST to a final status seen by polling (request type JOB).
JOB_SQL = "job done sql"
JOB_ZIP = "job done zip"
JOB_NAMES = (JOB_SQL, JOB_ZIP)


@dataclass(frozen=True)
class Stage:
    """Hold ``users`` until ``until`` (a fraction of the run time), reaching them at ``spawn_rate``/s."""

    until: float
    users: int
    spawn_rate: float


@dataclass(frozen=True)
class Limits:
    """What a run must stay within: error rate of every request name and overall, p95 per name, jobs done."""

    max_error_rate: float
    p95_ms: Mapping[str, float]
    min_jobs: int


@dataclass(frozen=True)
class Scenario:
    """One named load: its default duration, its stages and its limits."""

    name: str
    description: str
    run_time_s: int
    stages: tuple[Stage, ...]
    limits: Limits

    def stage_at(self, elapsed: float, run_time: float) -> Stage | None:
        """The stage in force ``elapsed`` seconds into a run of ``run_time`` seconds; None once it is over."""
        for stage in self.stages:
            if elapsed < stage.until * run_time:
                return stage
        return None

    @property
    def peak_users(self) -> int:
        """The most users any stage holds."""
        return max(stage.users for stage in self.stages)


def _limits(error_rate: float, *, submit: float, poll: float, job_sql: float, job_zip: float,
            min_jobs: int) -> Limits:
    p95 = {SUBMIT_SQL: submit, SUBMIT_ZIP: submit * 2, POLL_STATUS: poll, LIST_JOBS: poll * 2,
           JOB_SQL: job_sql, JOB_ZIP: job_zip}
    return Limits(error_rate, MappingProxyType(p95), min_jobs)


SCENARIOS: Mapping[str, Scenario] = MappingProxyType({
    "smoke": Scenario(
        "smoke", "one user of each kind: does every path work at all", 30,
        (Stage(1.0, 3, 3.0),),
        _limits(0.0, submit=500, poll=300, job_sql=2_000, job_zip=4_000, min_jobs=5),
    ),
    "load": Scenario(
        "load", "steady traffic at the size this machine sustains", 120,
        (Stage(1.0, 12, 2.0),),
        _limits(0.01, submit=800, poll=500, job_sql=4_000, job_zip=8_000, min_jobs=100),
    ),
    "spike": Scenario(
        "spike", "a quiet start, a sudden jump to four times the users, and back", 60,
        (Stage(0.3, 5, 5.0), Stage(0.7, 20, 20.0), Stage(1.0, 5, 20.0)),
        _limits(0.01, submit=1_500, poll=1_000, job_sql=8_000, job_zip=15_000, min_jobs=50),
    ),
    "soak": Scenario(
        "soak", "moderate traffic held for minutes: leaks, growing queues, slow drift", 300,
        (Stage(1.0, 8, 2.0),),
        _limits(0.005, submit=800, poll=500, job_sql=4_000, job_zip=8_000, min_jobs=200),
    ),
    # Not a gate but a measurement: where completions stop growing with users (the knee), read from
    # <out>/ramp/ramp_stats_history.csv. Its limits only say that nothing fails outright.
    "ramp": Scenario(
        "ramp", "10 to 80 users in six steps: find the knee before sizing the others", 120,
        tuple(Stage(i / 6, users, 20.0) for i, users in enumerate((10, 20, 30, 45, 60, 80), start=1)),
        _limits(0.01, submit=2_000, poll=2_000, job_sql=60_000, job_zip=60_000, min_jobs=100),
    ),
})
