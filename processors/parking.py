"""Messages the processors cannot decode: parked, and their job rejected when it can be named.

A job whose message is invalid would otherwise stay ACCEPTED forever: when
its ``job_id`` is readable, a ``job.rejected`` tells the sink (and the
client polling it) why nothing will happen.
"""

import json
from collections.abc import Awaitable
from typing import Any
from uuid import UUID

from faust.types import EventT

from runtime.faust.app import WorkerApp
from schemas.errors import SchemaError, error_info
from schemas.events import JobRejected


def salvage_job_id(raw: bytes) -> UUID | None:
    """The ``job_id`` of an invalid job message, if it has a readable one."""
    try:
        payload = json.loads(raw)
        return UUID(str(payload["job_id"])) if isinstance(payload, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


async def park(event: EventT, exc: SchemaError, worker: WorkerApp) -> list[Awaitable[Any]]:
    """Dead-letter an undecodable message (and reject its job); await the results for the acks."""
    error = error_info(exc)
    futures = [await worker.dead_letters.publish(event, error)]
    raw = event.value if isinstance(event.value, bytes) else b""
    job_id = salvage_job_id(raw) if event.message.topic == worker.publisher.names.jobs else None
    if job_id is not None:
        futures.append(await worker.publisher.publish(JobRejected(job_id=job_id, error=error)))
    return futures
