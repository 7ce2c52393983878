"""Jobs per minute by status, from the job list's totals sampled over time.

The ingest's ``GET /api/v1/jobs?status=S&size=1`` answers how many jobs have
status ``S`` now, from the database every ingest instance and the sink share.
Sampling those totals gives rates that survive a restart of any service and
count every ingest instance, which one ingest's Prometheus counters cannot.
A job moves ACCEPTED > PROCESSING > final, so:

- *submitted* per minute is the growth of the sum over every status (each job
  is in exactly one), and
- a final status's rate is the growth of its own total (a job never leaves a
  final status); in-flight statuses are shown as counts, not rates.
"""

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.statuses import JOB_FINAL, JobStatus

SUBMITTED = "submitted"
IN_FLIGHT = tuple(s for s in JobStatus if s not in JOB_FINAL)
FINAL = tuple(s for s in JobStatus if s in JOB_FINAL)


@dataclass
class JobRates:
    """A sliding window of ``(time, totals by status)`` samples and the rates over it.

    ``window_s`` bounds how far back a rate looks, so a burst fades within a
    minute instead of being averaged into the whole session.
    """

    window_s: float = 60.0
    samples: deque[tuple[float, dict[str, int]]] = field(default_factory=deque)

    def add(self, at: float, totals: Mapping[str, int]) -> None:
        """Record the totals seen at monotonic time ``at`` (seconds)."""
        self.samples.append((at, {**totals, SUBMITTED: sum(totals.get(s, 0) for s in JobStatus)}))
        while len(self.samples) > 2 and at - self.samples[1][0] >= self.window_s:
            self.samples.popleft()

    def per_minute(self) -> dict[str, float | None]:
        """Submitted and each final status per minute over the window (None until two samples)."""
        keys = (SUBMITTED, *FINAL)
        if len(self.samples) < 2:
            return dict.fromkeys(keys)
        (t0, first), (t1, last) = self.samples[0], self.samples[-1]
        span = t1 - t0
        if span <= 0:
            return dict.fromkeys(keys)
        # A total that shrank (jobs purged from the database) is no negative rate: count from zero.
        return {k: max(0, last.get(k, 0) - first.get(k, 0)) * 60 / span for k in keys}

    def current(self) -> dict[str, int]:
        """The newest totals (in-flight statuses are shown as counts)."""
        return dict(self.samples[-1][1]) if self.samples else {}
