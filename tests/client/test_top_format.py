"""The dashboard's pure parts: how it writes ages, sizes, rates and shares, and jobs per minute."""

import pytest

from client.top import format as fmt
from client.top.rates import SUBMITTED, JobRates
from schemas.statuses import JobStatus

ZERO = dict.fromkeys((s.value for s in JobStatus), 0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (-3, "0s"), (0.4, "0s"), (59.9, "59s"), (60, "1m00s"), (125, "2m05s"),
     (3600, "1h00m"), (3 * 3600 + 7 * 60 + 59, "3h07m"), (86400 * 2 + 3600 * 4, "2d04h")],
)
def test_age(seconds: float | None, text: str) -> None:
    assert fmt.age(seconds) == text


@pytest.mark.parametrize(
    ("n_bytes", "text"),
    [(None, "-"), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536 * 1024, "1.5 MiB"),
     (12 * 1024**3, "12 GiB"), (5 * 1024**6, "5120 PiB"), (-1, "0 B")],
)
def test_size(n_bytes: int | None, text: str) -> None:
    assert fmt.size(n_bytes) == text


def test_rate_percent_and_used_of() -> None:
    rates = [fmt.rate(None), fmt.rate(0), fmt.rate(0.5), fmt.rate(12.4)]
    assert rates == ["-", "0.0/min", "0.5/min", "12/min"]
    assert [fmt.percent(None), fmt.percent(41.6)] == ["-", "42%"]
    assert fmt.used_of(4 * 1024**3, 16 * 1024**3) == "4.0 GiB/16 GiB (25%)"
    assert fmt.used_of(512, 0) == "512 B"
    assert fmt.used_of(None, None) == "-"


def test_no_rate_until_two_samples_apart() -> None:
    rates = JobRates()
    assert rates.per_minute()[SUBMITTED] is None
    assert rates.current() == {}
    rates.add(10.0, ZERO)
    assert set(rates.per_minute().values()) == {None}
    rates.add(10.0, ZERO)
    assert set(rates.per_minute().values()) == {None}


def test_submitted_is_the_growth_of_all_statuses_and_final_ones_their_own() -> None:
    rates = JobRates()
    rates.add(0.0, {**ZERO, "ACCEPTED": 2, "COMPLETED": 10})
    # 30 s later: the 2 accepted jobs finished (one failed), 3 more came in and are processing.
    rates.add(30.0, {**ZERO, "PROCESSING": 3, "COMPLETED": 11, "FAILED": 1})
    per_minute = rates.per_minute()
    assert per_minute[SUBMITTED] == pytest.approx(6.0)  # 12 -> 15 jobs in half a minute
    assert per_minute[JobStatus.COMPLETED] == pytest.approx(2.0)
    assert per_minute[JobStatus.FAILED] == pytest.approx(2.0)
    assert per_minute[JobStatus.PARTIALLY_COMPLETED] == 0
    assert rates.current()["PROCESSING"] == 3
    assert rates.current()[SUBMITTED] == 15


def test_the_window_forgets_old_bursts_and_purges_are_not_negative() -> None:
    rates = JobRates(window_s=60)
    rates.add(0.0, {**ZERO, "COMPLETED": 0})
    rates.add(1.0, {**ZERO, "COMPLETED": 100})  # a burst long ago
    for t in range(62, 130, 2):
        rates.add(float(t), {**ZERO, "COMPLETED": 100})
    assert rates.per_minute()[JobStatus.COMPLETED] == 0
    assert rates.samples[-1][0] - rates.samples[0][0] >= 60
    rates.add(200.0, {**ZERO, "COMPLETED": 40})  # rows purged from the database
    assert rates.per_minute()[JobStatus.COMPLETED] == 0
