"""Carrying out operators' control actions on this worker, and recording each outcome in its state.

The kit knows the actions every Faust worker has: ``pause`` and ``resume``
(its assigned partitions), ``reset_stats`` and ``shutdown``; a service adds
its own (the processors' ``pool_restart``). Each outcome becomes the state's
``last_control``, which the next heartbeat carries to operators. Actions run
one at a time, in the order they were sent, on the event loop; their slow
parts (draining a pool) run in threads.

- ``pause`` removes every assigned partition from the ones Faust fetches.
  Faust resumes all assigned partitions after each rebalance, so while the
  worker is paused a keeper re-pauses them every :data:`PAUSE_RECHECK_S`.
  Events already fetched are still handled; the committed offsets then stop,
  and this worker's lag grows while the group's other workers go on.
- ``reset_stats`` zeroes the heartbeat's counters only: Prometheus counters
  stay monotonic, as Prometheus' ``rate()`` requires.
- ``shutdown`` is the SIGTERM an operator would send: Faust's worker stops
  the agents, commits what was acknowledged, leaves the group (its partitions
  move to the other workers at once) and closes the pool; a file in flight was
  not acknowledged, so its new owner lints it again. Nothing is lost.
"""

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping
from typing import cast

import faust
from faust.transport.consumer import Consumer
from faust.types import TP
from mode import Service

from runtime.faust.control_reader import ControlReader
from runtime.faust.worker_state import WorkerState
from runtime.kafka_security import kafka_security
from runtime.settings import WorkerSettings
from schemas.errors import LintServiceError
from schemas.worker_events import ControlAck, ControlAction, WorkerControl

log = logging.getLogger(__name__)
PAUSE_RECHECK_S = 0.1
# An action returns the detail of its acknowledgement, or raises to fail it.
ControlHandler = Callable[[], Awaitable[str]]
# What a worker without a service handler answers to these actions.
UNSUPPORTED: dict[ControlAction, str] = {"pool_restart": "no lint pool"}


class ControlFailedError(LintServiceError):
    """An action this worker cannot carry out; its message is the acknowledgement's detail."""


class WorkerControls(Service):
    """Reads this worker's actions (from the end of the control topic) and carries them out."""

    def __init__(
        self, app: faust.App, state: WorkerState, settings: WorkerSettings,
        handlers: Mapping[ControlAction, ControlHandler] | None = None, **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.app, self.worker, self.settings = app, state, settings
        self.handlers: dict[ControlAction, ControlHandler] = {
            "pause": self.pause, "resume": self.resume, "reset_stats": self.reset_stats,
            "shutdown": self.shutdown, **(handlers or {}),
        }
        self._actions: asyncio.Queue[WorkerControl] = asyncio.Queue()
        self._reader: ControlReader | None = None

    async def on_start(self) -> None:
        """Positioned at the topic's end before the worker joins its group, then read in a thread."""
        s = self.settings
        reader = ControlReader(s.kafka_bootstrap_servers, s.topics.control, self.worker.worker_id,
                               asyncio.get_running_loop(), self._actions.put_nowait,
                               security=kafka_security(s))
        await asyncio.to_thread(reader.position_at_end)
        reader.start()
        self._reader = reader

    async def on_stop(self) -> None:
        """Stop reading (the thread's close may block on the network, hence the join in a thread)."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.stop()
            await asyncio.to_thread(reader.join)

    @Service.task
    async def _carry_out_actions(self) -> None:
        while not self.should_stop:
            control = await self._actions.get()
            self.worker.last_control = await self.carry_out(control)

    async def carry_out(self, control: WorkerControl) -> ControlAck:
        """Run one action; its acknowledgement, ``failed`` with the reason when it could not be done."""
        handler = self.handlers.get(control.action)
        try:
            if handler is None:
                unsupported = UNSUPPORTED.get(control.action, f"{control.action} is not supported")
                raise ControlFailedError(unsupported)
            detail, outcome = await handler(), "done"
        except Exception as exc:  # an action that fails is acknowledged as failed, never fatal
            log.warning("control action %s failed: %s", control.action, exc)
            detail, outcome = str(exc) or type(exc).__name__, "failed"
        log.info("control action %s (%s): %s, %s", control.action, control.request_id, outcome, detail)
        return ControlAck(request_id=control.request_id, action=control.action, outcome=outcome,
                          detail=detail[:1024])

    def _assignment(self) -> set[TP]:
        try:
            return set(self.app.consumer.assignment())
        except Exception:  # the consumer is not started yet, or already closed
            return set()

    async def pause(self) -> str:
        """Stop fetching every assigned partition, now and after each rebalance, until ``resume``."""
        self.worker.state = "paused"
        tps = self._assignment()
        self.app.consumer.pause_partitions(tps)
        return f"paused {len(tps)} partitions"

    @Service.task
    async def _keep_paused(self) -> None:
        while not self.should_stop:
            if self.worker.state == "paused":
                self.app.consumer.pause_partitions(self._assignment())
            await self.sleep(PAUSE_RECHECK_S)

    async def resume(self) -> str:
        """Fetch every assigned partition again, from the first message the agents have not been given."""
        tps = self._assignment()
        consumer = cast(Consumer, self.app.consumer)
        if self.worker.state == "paused":
            self.worker.state = "running"
            for tp in tps:
                await consumer.seek(tp, _resume_offset(consumer, tp))
        consumer.resume_partitions(tps)
        return f"resumed {len(tps)} partitions"

    async def reset_stats(self) -> str:
        """Zero the heartbeat's counters (Prometheus' counters stay monotonic)."""
        self.worker.reset_stats()
        return "heartbeat counters zeroed; Prometheus counters stay monotonic"

    async def shutdown(self) -> str:
        """Stop this worker as SIGTERM does, once the acknowledgement is recorded."""
        self.worker.state = "stopping"
        asyncio.get_running_loop().call_later(0.1, os.kill, os.getpid(), signal.SIGTERM)
        return "stopping: leaving the consumer group"


def _resume_offset(consumer: Consumer, tp: TP) -> int:
    """Where a paused partition goes on: the last offset Faust gave the agents, else the committed one.

    Faust drops the records of a batch whose partition was paused while the
    batch was being handed out (and the fetch position is already past them);
    without this seek they would be skipped, and later committed as a gap.
    Faust keeps that offset only privately (its own seek after a rebalance uses
    it the same way); the one message read again is harmless, acks are idempotent.
    """
    read, committed = consumer._read_offset.get(tp), consumer._committed_offset.get(tp)
    return read if read is not None else committed or 0
