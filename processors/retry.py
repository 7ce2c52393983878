"""Retrying a file whose lint process crashed, with exponential backoff, announced by ``task.retried``.

Only ``LINT_CRASHED`` is retried: the process died under the file without a
known cause (a segfault in native code, a signal from outside), which may
well not happen again. Every other outcome is final. A rule or parse result
is the file's answer; ``LINT_TIMEOUT`` and ``LINT_MEMORY`` come from our own
per-file limits, which the same file hits again on every attempt, so retrying
them would only multiply the cost of a hostile file (``LINT_MEMORY`` includes
a SIGKILL, which under a memory limit is read as the OOM killer's).

The backoff is an ``asyncio.sleep``: the event loop, and the agent's other
actors (the partition's other files), go on while one file waits.
"""

import asyncio
from collections.abc import Awaitable, Callable

from processors.lint_pool import LintOutcome
from processors.settings import ProcessorSettings
from schemas.error_codes import ErrorCode
from schemas.events import LintTask, TaskRetried

RETRIED_CODES = frozenset({ErrorCode.LINT_CRASHED})
RetryAnnouncer = Callable[[TaskRetried], Awaitable[None]]


def backoff_s(settings: ProcessorSettings, attempt: int) -> float:
    """Seconds to wait before ``attempt`` (2 for the first retry): the base, doubled per retry."""
    return float(settings.lint_retry_backoff_s * 2 ** (attempt - 2))


def retryable(outcome: LintOutcome) -> bool:
    """Whether the outcome is a crash worth another attempt."""
    return outcome.error is not None and outcome.error.code in RETRIED_CODES


async def lint_with_retries(
    lint: Callable[[], Awaitable[LintOutcome]],
    task: LintTask,
    settings: ProcessorSettings,
    announce: RetryAnnouncer | None = None,
) -> LintOutcome:
    """The outcome of the first attempt that did not crash, or of the last one allowed.

    ``announce`` gets each ``task.retried`` before its attempt runs, so the
    sink's ``attempts`` counts the attempts the file really had.
    """
    outcome = await lint()
    attempt = 1
    while retryable(outcome) and attempt <= settings.lint_retries and outcome.error is not None:
        attempt += 1
        wait = backoff_s(settings, attempt)
        if announce is not None:
            await announce(
                TaskRetried(
                    task_id=task.task_id, job_id=task.job_id, attempt=attempt, error=outcome.error,
                    backoff_s=wait,
                )
            )
        await asyncio.sleep(wait)
        outcome = await lint()
    return outcome
