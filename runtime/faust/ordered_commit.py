"""The order in which one input partition's finished events may be committed.

Events of a partition are handled concurrently and finish in any order, but
a committed offset says "everything before it is done": a transaction may
only carry the outputs and the offset of the contiguous prefix of finished
events. Each partition keeps its arrivals in offset order; finished events
wait here until every earlier one finished too.
"""

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

from runtime.faust.publisher import Outgoing


@dataclass
class Pending:
    """One arrived event: its offset, and once finished its outputs (which may be none)."""

    offset: int
    # Weak: a delivery Faust drops from its buffers on a rebalance must not be kept alive here,
    # or Faust's revocation would wait for it forever.
    message: weakref.ref[object]
    messages: list[Outgoing] = field(default_factory=list)
    finished: bool = False


class PartitionLedger:
    """Arrivals of one partition in delivery order, and the finished prefix ready to commit.

    Entries are matched by the consumer's message object, not only by offset,
    so a stale copy of an event from before a rebalance (same offset,
    delivered again since) can never finish the new one.
    """

    def __init__(self) -> None:
        self._pending: OrderedDict[int, Pending] = OrderedDict()
        self.fenced = False  # another producer owns this partition now: nothing more is committed here
        # The group's committed offset once this owner's producer fenced the previous one: what a
        # late commit of the previous owner already covered is not done (and published) twice.
        self.floor: int | None = None

    def __len__(self) -> int:
        return len(self._pending)

    def arrived(self, offset: int, message: object) -> None:
        """The consumer delivered ``offset``: later offsets cannot be committed before it finished."""
        self._pending[offset] = Pending(offset, weakref.ref(message))

    def finish(self, offset: int, message: object, messages: list[Outgoing]) -> bool:
        """Mark an event finished; False when it is not this ledger's (stale, unknown or already done)."""
        entry = self._pending.get(offset)
        if entry is None or entry.message() is not message or entry.finished:
            return False
        entry.messages, entry.finished = messages, True
        return True

    def head_finished(self) -> bool:
        """Whether the earliest waiting event finished (or is settled already), so a commit can go out."""
        if not self._pending:
            return False
        head = next(iter(self._pending.values()))
        return head.finished or self._settled(head)

    def _settled(self, entry: Pending) -> bool:
        return self.floor is not None and entry.offset < self.floor

    def ready(self) -> list[Pending]:
        """Take the contiguous finished prefix (oldest first): the next transaction's events.

        Events below the floor are passed over, finished or not: the previous
        owner committed them, outputs and all.
        """
        batch: list[Pending] = []
        while self.head_finished():
            entry = self._pending.popitem(last=False)[1]
            if not self._settled(entry):
                batch.append(entry)
        return batch
