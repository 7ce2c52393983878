"""A partition's ledger: what may commit, in which order, and what a new owner passes over."""

import weakref

from runtime.faust.ordered_commit import PartitionLedger
from runtime.faust.publisher import Outgoing


class Delivery:
    """Stands for Faust's message object: the ledger only needs its identity and a weak reference."""


def _out(offset: int) -> list[Outgoing]:
    return [Outgoing("results", b"k", f"out-{offset}".encode(), None)]


def test_only_the_contiguous_finished_prefix_is_ready() -> None:
    ledger, deliveries = PartitionLedger(), [Delivery() for _ in range(4)]
    for offset, delivery in enumerate(deliveries):
        ledger.arrived(offset, delivery)
    assert ledger.finish(1, deliveries[1], _out(1))
    assert ledger.finish(3, deliveries[3], _out(3))
    assert not ledger.head_finished()
    assert ledger.ready() == []
    assert ledger.finish(0, deliveries[0], _out(0))
    assert [entry.offset for entry in ledger.ready()] == [0, 1]
    assert len(ledger) == 2  # offset 2 still runs; 3 waits for it


def test_a_stale_copy_or_a_second_finish_of_an_event_is_refused() -> None:
    ledger, delivery = PartitionLedger(), Delivery()
    ledger.arrived(0, delivery)
    assert not ledger.finish(0, Delivery(), _out(0))  # same offset, delivered before a rebalance
    assert not ledger.finish(7, delivery, _out(7))  # never arrived here
    assert ledger.finish(0, delivery, _out(0))
    assert not ledger.finish(0, delivery, _out(0))


def test_events_below_the_floor_are_passed_over_finished_or_not() -> None:
    ledger, deliveries = PartitionLedger(), [Delivery() for _ in range(4)]
    for offset, delivery in enumerate(deliveries):
        ledger.arrived(offset, delivery)
    ledger.finish(1, deliveries[1], _out(1))
    ledger.finish(2, deliveries[2], _out(2))
    assert ledger.ready() == []  # offset 0 still runs
    ledger.floor = 2  # the previous owner's last commit covered 0 and 1
    assert [entry.offset for entry in ledger.ready()] == [2]
    assert len(ledger) == 1


def test_the_ledger_keeps_no_delivery_alive() -> None:
    """Faust drops buffered deliveries on a rebalance, then waits for every one still alive."""
    ledger, delivery = PartitionLedger(), Delivery()
    ledger.arrived(0, delivery)
    alive = weakref.ref(delivery)
    del delivery
    assert alive() is None
