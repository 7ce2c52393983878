"""The sink's delivery loop: sends the callbacks the outbox holds, retrying with backoff for a bounded time.

It runs beside the agents for as long as the sink's resources are open, so
callbacks go out whether or not events are flowing, and any sink replica may
send any job's callback (the outbox's claims keep two from sending one at
once). Database work runs in threads; the POSTs of one claim run together.

A retry waits ``SINK_WEBHOOK_BACKOFF_FIRST_S`` doubled per attempt (capped at
``SINK_WEBHOOK_BACKOFF_MAX_S``), times a random factor in [0.5, 1) so the
retries of many jobs to one receiver that was down spread out instead of
arriving together; past ``SINK_WEBHOOK_RETRY_MAX_S`` after the job ended, the
delivery is FAILED.
"""

import asyncio
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from policy.callback_url import CallbackUrlRejectedError, parse_callback_url
from runtime.rows import naive_utc
from sink import outbox
from sink.outbox import Claimed, Outcome
from sink.rounds import Rounds
from sink.settings import SinkSettings
from sink.webhook_delivery import Attempt, post_once
from sink.webhook_message import body_bytes, derive_secret, signed_headers

log = logging.getLogger(__name__)
CLAIM_LIMIT = 16
NO_KEY = "WEBHOOK_SIGNING_KEY is not set on the sink: a callback is never sent unsigned"


def backoff_s(attempt: int, settings: SinkSettings, draw: Callable[[], float] = random.random) -> float:
    """Seconds before the attempt after ``attempt`` (1-based): doubling, capped, jittered."""
    ceiling = min(settings.webhook_backoff_max_s, settings.webhook_backoff_first_s * 2 ** (attempt - 1))
    return ceiling * (0.5 + draw() / 2)


def decide(claimed: Claimed, attempt: Attempt, now: datetime, settings: SinkSettings) -> Outcome:
    """The delivery's next state after ``attempt``."""
    if attempt.delivered:
        return Outcome(outbox.DELIVERED, status_code=attempt.status_code)
    if not attempt.retryable:
        return Outcome(outbox.FAILED, attempt.status_code, attempt.error)
    due = now + timedelta(seconds=backoff_s(claimed.attempt, settings))
    if due > claimed.created_at + timedelta(seconds=settings.webhook_retry_max_s):
        gave_up = f"{attempt.error} (gave up after {claimed.attempt} attempts)"
        return Outcome(outbox.FAILED, attempt.status_code, gave_up)
    return Outcome(outbox.PENDING, attempt.status_code, attempt.error, next_attempt_at=due)


def _now() -> datetime:
    return naive_utc(datetime.now(UTC))


class DeliveryLoop:
    """Claims due callbacks every ``SINK_WEBHOOK_POLL_S`` and sends each once per claim."""

    def __init__(self, settings: SinkSettings, engine: Callable[[], Engine]) -> None:
        self.settings = settings
        self._engine = engine
        self._rounds = Rounds("webhook-deliveries", self._round, settings.webhook_poll_s)
        self._lease = timedelta(seconds=settings.webhook_timeout_s + 30)
        self.attempts_made = 0  # by this loop, since it was built
        # Told each settled outcome (the sink's app points it at its metrics once they exist).
        self.on_settled: Callable[[str], None] = lambda _state: None

    def start(self) -> None:
        """Start sending in the background (from the sink's resources)."""
        self._rounds.start()

    async def stop(self) -> None:
        """Stop sending; a claim cut short is leased and will be tried again after its lease."""
        await self._rounds.stop()

    async def run_once(self) -> int:
        """Claim what is due, send it, record each outcome; return how many were claimed."""
        now = _now()
        claimed = await asyncio.to_thread(self._claim, now)
        await asyncio.gather(*(self._deliver(one) for one in claimed))
        return len(claimed)

    def _claim(self, now: datetime) -> list[Claimed]:
        with self._engine().begin() as conn:
            return outbox.claim_due(conn, now, CLAIM_LIMIT, self._lease)

    def _settle(self, claimed: Claimed, outcome: Outcome) -> None:
        with self._engine().begin() as conn:
            recorded = outbox.settle(conn, claimed, outcome, _now())
        if recorded:  # a stale attempt's answer was dropped, so it is not counted either
            self.on_settled(outcome.state)

    def _secret(self, url: str) -> bytes:
        """The receiver's signing secret, derived from its origin; refused when nothing can be signed."""
        if not self.settings.webhook_signing_key:
            raise CallbackUrlRejectedError(NO_KEY)
        return derive_secret(self.settings.webhook_signing_key, parse_callback_url(url).origin)

    async def _deliver(self, claimed: Claimed) -> None:
        try:
            secret = self._secret(claimed.url)
        except CallbackUrlRejectedError as exc:
            log.warning("callback of job %s not sent: %s", claimed.job_id, exc.message)
            await asyncio.to_thread(self._settle, claimed, Outcome(outbox.FAILED, error=exc.message))
            return
        self.attempts_made += 1
        body = body_bytes(claimed.job)
        headers = signed_headers(secret, claimed.job_id, body, int(time.time()))
        attempt = await post_once(
            claimed.url,
            body,
            headers,
            timeout_s=self.settings.webhook_timeout_s,
            allow_private=self.settings.callback_allow_private,
        )
        outcome = decide(claimed, attempt, _now(), self.settings)
        log.info(
            "callback of job %s attempt %d: %s (%s)",
            claimed.job_id,
            claimed.attempt,
            outcome.state,
            attempt.error or attempt.status_code,
        )
        await asyncio.to_thread(self._settle, claimed, outcome)

    async def _round(self) -> bool:
        """A full claim means more may be due: go again at once."""
        return await self.run_once() == CLAIM_LIMIT
