"""How an agent's events are handled and acked, under the processors' processing guarantee.

``at_least_once``: each event is acked once the brokers acknowledged every
produce it caused (Faust would ack even a failed handler). ``exactly_once``:
the handler publishes into a buffer, and the kit's transactions commit the
buffer with the event's offset, in offset order per partition; nothing of an
event half handled, or handled by a worker that lost its partition, reaches a
``read_committed`` reader. Faust commits no offset of those topics, so the
event is acked as soon as it is handled: Faust's revocation waits only for
events still running, never for a commit that a fenced producer cannot make.
"""

from collections.abc import Awaitable, Callable
from dataclasses import replace

from faust.types import EventT, StreamT

from runtime.faust.app import WorkerApp
from runtime.faust.publisher import Buffered
from runtime.faust.transactions import PartitionTransactions

Handler = Callable[[EventT, WorkerApp], Awaitable[None]]


def buffered_view(worker: WorkerApp) -> tuple[WorkerApp, Buffered]:
    """The worker as a handler sees it inside a transaction: publishing and parking into one buffer."""
    buffer = Buffered(worker.publisher.names)
    return replace(worker, publisher=buffer, dead_letters=worker.dead_letters.through(buffer)), buffer


async def consume(
    stream: StreamT, worker: WorkerApp, transactions: PartitionTransactions | None, handle: Handler
) -> None:
    """Handle each event of an agent's stream, acking it when its effects are durable."""
    manual = stream.noack()
    async for event in manual.events():
        if transactions is None:
            await handle(event, worker)
            await manual.ack(event)
            continue
        view, buffer = buffered_view(worker)
        await handle(event, view)
        transactions.finish(event, buffer.messages)
        await manual.ack(event)
