"""The token buckets of the request rate, on an injected clock: burst, refill, Retry-After, bounded memory."""

import pytest

from ingest.errors import LimitExceededError, RateLimitedError
from ingest.rate_limit import TokenBuckets
from runtime.tenant_limits import TenantLimits, TenantLimitTable


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def table(rate: float = 2.0, burst: int = 3, **tenants: dict[str, float]) -> TenantLimitTable:
    return TenantLimitTable(default=TenantLimits(requests_per_second=rate, burst=burst), tenants=tenants)


def refusal(buckets: TokenBuckets, tenant: str) -> RateLimitedError:
    with pytest.raises(RateLimitedError) as caught:
        buckets.take(tenant)
    return caught.value


def test_a_burst_passes_then_the_wait_for_one_token_is_the_retry_after() -> None:
    clock = Clock()
    buckets = TokenBuckets(table(rate=0.25, burst=3), clock)
    for _ in range(3):
        buckets.take("acme")
    refused = refusal(buckets, "acme")
    assert refused.retry_after_s == 4  # one token at 0.25/s
    assert refused.code == "RATE_LIMITED"
    clock.now += 1.5
    assert refusal(buckets, "acme").retry_after_s == 3  # 2.5 s to go, whole seconds up
    clock.now += 2.5
    buckets.take("acme")  # the token is back
    assert refusal(buckets, "acme").retry_after_s == 4


def test_the_retry_after_is_never_zero() -> None:
    clock = Clock()
    buckets = TokenBuckets(table(rate=1000.0, burst=1), clock)
    buckets.take("acme")
    assert refusal(buckets, "acme").retry_after_s == 1  # 1 ms to wait, said as 1 s
    assert LimitExceededError("x", 0).retry_after_s == 1


def test_a_bucket_refills_at_the_rate_up_to_the_burst_only() -> None:
    clock = Clock()
    buckets = TokenBuckets(table(rate=2.0, burst=3), clock)
    for _ in range(3):
        buckets.take("acme")
    clock.now += 3600  # an hour idle refills 3 tokens, not 7200
    for _ in range(3):
        buckets.take("acme")
    refusal(buckets, "acme")


def test_tenants_have_their_own_buckets_and_overrides() -> None:
    clock = Clock()
    buckets = TokenBuckets(table(rate=1.0, burst=1, globex={"burst": 5}), clock)
    buckets.take("acme")
    refusal(buckets, "acme")
    for _ in range(5):
        buckets.take("globex")  # acme's empty bucket is not globex's
    refusal(buckets, "globex")
    buckets.take("initech")  # a tenant without overrides has the default, in a bucket of its own


def test_memory_is_bounded_and_a_forgotten_bucket_is_a_full_one() -> None:
    clock = Clock()
    buckets = TokenBuckets(table(rate=1.0, burst=2), clock, capacity=2)
    for tenant in ("a", "b", "c", "d"):
        buckets.take(tenant)
    assert len(buckets._buckets) == 2  # the least recently used went
    buckets.take("d")
    refusal(buckets, "d")
    clock.now += 2.0  # the longest refill time (burst 2 at 1/s): the bucket expires, as full as it was
    assert len(buckets._buckets) == 0
    buckets.take("d")
    buckets.take("d")
    refusal(buckets, "d")


def test_the_expiry_covers_the_slowest_tenants_refill() -> None:
    clock = Clock()
    buckets = TokenBuckets(table(rate=1.0, burst=1, slow={"requests_per_second": 0.01}), clock)
    buckets.take("slow")
    clock.now += 99.0  # still refilling (100 s for one token): its bucket must not be forgotten
    assert refusal(buckets, "slow").retry_after_s == 1
