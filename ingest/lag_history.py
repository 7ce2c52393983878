"""A short history of the total lag, to tell a backlog being worked off from one that only grows.

A burst of jobs raises the lag for a while and that is healthy; a lag that
rose at every sample across a whole window, and is above a floor, means the
workers do not keep up (or do not consume at all). The history keeps one
sample from before the window as its anchor, so "across the whole window"
is a fact about the samples, not an assumption about the sampling rate.
"""

from collections import deque
from datetime import datetime, timedelta
from itertools import pairwise

from schemas.monitoring import LagSample


class LagHistory:
    """Samples of the total lag over the last ``window_s`` seconds (plus the anchor)."""

    def __init__(self, window_s: float, floor: int) -> None:
        self._window = timedelta(seconds=window_s)
        self._floor = floor
        self._samples: deque[LagSample] = deque()

    def add(self, at: datetime, total_lag: int) -> None:
        """Record a sample; forget those the window no longer needs."""
        self._samples.append(LagSample(at=at, total_lag=total_lag))
        cutoff = at - self._window
        while len(self._samples) > 1 and self._samples[1].at <= cutoff:
            self._samples.popleft()

    def samples(self) -> tuple[LagSample, ...]:
        """Oldest first."""
        return tuple(self._samples)

    def growing(self) -> str | None:
        """Why the lag looks unbounded (never fell across a full window, ended higher, above the floor)."""
        samples = list(self._samples)
        if len(samples) < 2:
            return None
        first, last = samples[0], samples[-1]
        if last.at - first.at < self._window or last.total_lag <= max(first.total_lag, self._floor):
            return None
        if any(b.total_lag < a.total_lag for a, b in pairwise(samples)):
            return None
        seconds = (last.at - first.at).total_seconds()
        return f"lag grew from {first.total_lag} to {last.total_lag} over {seconds:.0f}s without falling"
