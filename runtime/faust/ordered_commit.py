"""The order in which one input partition's finished events may be committed.

Events of a partition are handled concurrently and finish in any order, but
a committed offset says "everything before it is done": a transaction may
only carry the outputs and the offset of the contiguous prefix of finished
events. Each partition keeps its arrivals in offset order; finished events
wait here until every earlier one finished too.
"""

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from runtime.faust.publisher import Outgoing

Ack = Callable[[], Awaitable[object]]


@dataclass
class Pending:
    """One arrived event: its offset, and once finished its outputs and how to ack it."""

    offset: int
    message: object
    messages: list[Outgoing] = field(default_factory=list)
    ack: Ack | None = None

    @property
    def finished(self) -> bool:
        """A finished event has an ack; its outputs may be empty (a result sent live, or none)."""
        return self.ack is not None


class PartitionLedger:
    """Arrivals of one partition in delivery order, and the finished prefix ready to commit.

    Entries are matched by the consumer's message object, not only by offset,
    so a stale copy of an event from before a rebalance (same offset,
    delivered again since) can never finish the new one.
    """

    def __init__(self) -> None:
        self._pending: OrderedDict[int, Pending] = OrderedDict()
        self.fenced = False  # another producer owns this partition now: nothing more is committed here

    def __len__(self) -> int:
        return len(self._pending)

    def arrived(self, offset: int, message: object) -> None:
        """The consumer delivered ``offset``: later offsets cannot be committed before it finished."""
        self._pending[offset] = Pending(offset, message)

    def finish(self, offset: int, message: object, messages: list[Outgoing], ack: Ack) -> bool:
        """Mark an event finished; False when it is not this ledger's (stale, unknown or already done)."""
        entry = self._pending.get(offset)
        if entry is None or entry.message is not message or entry.finished:
            return False
        entry.messages, entry.ack = messages, ack
        return True

    def head_finished(self) -> bool:
        """Whether the earliest waiting event finished, so a commit can go out."""
        return bool(self._pending) and next(iter(self._pending.values())).finished

    def ready(self) -> list[Pending]:
        """Take the contiguous finished prefix (oldest first): the next transaction's events."""
        batch: list[Pending] = []
        while self.head_finished():
            batch.append(self._pending.popitem(last=False)[1])
        return batch
