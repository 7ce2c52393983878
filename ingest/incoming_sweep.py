"""Stale staged uploads: what a crashed request left in ``<root>/incoming/`` is deleted by the ingest.

A form's file is staged in ``incoming/`` while its request runs and is then
moved into its job's folder or deleted (``ingest/storage.py``); only a process
that died mid-request (``kill -9``, out of memory, a host lost) leaves one
behind, and nothing else would ever delete it. A live request's file is young:
its mtime moves with every chunk written, the whole body must arrive within
``INGEST_BODY_READ_TIMEOUT_S``, and it is adopted within the Kafka delivery
timeout after that. So a file older than ``INGEST_INCOMING_MAX_AGE_S`` belongs
to no live request of any replica; replicas share the root, and whichever
sweeps first deletes it (the other finds it gone, which is fine).

The sweep runs at start (a restart after a crash is when leftovers are new)
and every quarter of the max age, in a thread, so a slow share never blocks
the event loop; a failed round is logged and the next one runs as usual.
"""

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from ingest.services import SERVICES
from ingest.storage import INCOMING

log = logging.getLogger(__name__)
ROUNDS_PER_MAX_AGE = 4  # a leftover lives at most 1.25 x the max age


@dataclass(frozen=True)
class Swept:
    """What one round deleted, for the log, the metric and the tests."""

    files: int = 0
    bytes: int = 0


def sweep_incoming(root: Path, older_than: float) -> Swept:
    """Delete the staged files under ``root/incoming`` last written before ``older_than`` (epoch seconds).

    Only plain files and links are the service's; a folder someone put there is left alone.
    """
    try:
        entries = list(os.scandir(root / INCOMING))
    except FileNotFoundError:
        return Swept()  # nothing was ever staged here
    files = size = 0
    for entry in entries:
        try:
            stat = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False) or stat.st_mtime >= older_than:
                continue
            os.unlink(entry.path)
        except FileNotFoundError:
            continue  # adopted or dropped by its request, or swept by another replica, meanwhile
        files, size = files + 1, size + stat.st_size
    return Swept(files, size)


async def _rounds(root: Path, max_age_s: float, removed: Counter) -> None:
    while True:
        try:
            swept = await asyncio.to_thread(sweep_incoming, root, time.time() - max_age_s)
        except Exception:  # the share away or unreadable: logged, and the next round tries again
            log.exception("incoming sweep: round failed on %s", root / INCOMING)
        else:
            if swept.files:
                removed.inc(swept.files)
                log.info(
                    "incoming sweep: deleted %d stale staged upload(s), %d bytes, older than %.0f s",
                    swept.files, swept.bytes, max_age_s,
                )
        await asyncio.sleep(max_age_s / ROUNDS_PER_MAX_AGE)


@asynccontextmanager
async def sweeping(root: Path, max_age_s: float, registry: CollectorRegistry) -> AsyncIterator[None]:
    """Sweep ``root/incoming`` in the background for the length of the block; its counter in ``registry``."""
    removed = Counter(
        "sqllint_incoming_swept_files",
        "Stale staged uploads (a crashed request's leftovers in incoming/) deleted by the sweep.",
        registry=registry,
    )
    task = asyncio.create_task(_rounds(root, max_age_s, removed), name="incoming-sweep")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def incoming_sweep_ctx(app: web.Application) -> AsyncIterator[None]:
    """The sweep as a cleanup context of the ingest: started with the app, cancelled at its stop."""
    services = app[SERVICES]
    settings = services.settings
    max_age = settings.incoming_max_age_s
    if max_age <= settings.body_read_timeout_s + settings.kafka_delivery_timeout_ms / 1000:
        log.warning(
            "INGEST_INCOMING_MAX_AGE_S (%.0f s) is not above the body read timeout plus the delivery "
            "timeout: a slow upload's staged file may be deleted while its request still runs", max_age,
        )
    async with sweeping(services.storage.root, max_age, services.metrics.registry):
        yield
