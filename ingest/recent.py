"""Jobs accepted by this process lately, for the moment before their row exists.

If the first-row insert fails the event is still durable and the sink will
write the row; until then a GET must not answer 404 for a job we just
accepted, so the accepted event is kept in a small LRU.
"""

from collections import OrderedDict

from schemas.events import JobSubmitted


class RecentJobs:
    """A bounded, least-recently-used map of job id to accepted event."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._jobs: OrderedDict[str, JobSubmitted] = OrderedDict()

    def remember(self, job: JobSubmitted) -> None:
        """Keep ``job``, evicting the oldest beyond capacity."""
        job_id = str(job.job_id)
        self._jobs[job_id] = job
        self._jobs.move_to_end(job_id)
        while len(self._jobs) > self._capacity:
            self._jobs.popitem(last=False)

    def get(self, job_id: str) -> JobSubmitted | None:
        """The accepted event, if still remembered."""
        return self._jobs.get(job_id)
