"""The priority gate: one slot per lint process, express callers let in before bulk ones."""

import asyncio

import pytest

from processors.lint_gate import LintGate


async def _hold(gate: LintGate, express: bool, order: list[str], name: str, release: asyncio.Event) -> None:
    async with gate.slot(express):
        order.append(name)
        await release.wait()


async def test_a_freed_slot_goes_to_the_express_waiter_first() -> None:
    gate = LintGate(1)
    order: list[str] = []
    release = {n: asyncio.Event() for n in ("first", "bulk-1", "bulk-2", "express")}
    first = asyncio.create_task(_hold(gate, False, order, "first", release["first"]))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(_hold(gate, express, order, name, release[name]))
               for name, express in (("bulk-1", False), ("bulk-2", False), ("express", True))]
    await asyncio.sleep(0)
    assert order == ["first"]
    assert gate.waiting == {"express": 1, "bulk": 2}
    for name in ("first", "express", "bulk-1", "bulk-2"):
        release[name].set()
        await asyncio.sleep(0.01)
    await asyncio.gather(first, *waiting)
    assert order == ["first", "express", "bulk-1", "bulk-2"]  # bulk keeps its own order
    assert gate.waiting == {"express": 0, "bulk": 0}


async def test_never_more_holders_than_slots() -> None:
    gate = LintGate(2)
    inside, most = 0, 0

    async def work(express: bool) -> None:
        nonlocal inside, most
        async with gate.slot(express):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(work(i % 3 == 0) for i in range(30)))
    assert (most, inside) == (2, 0)


async def test_a_cancelled_waiter_neither_keeps_nor_loses_a_slot() -> None:
    gate = LintGate(1)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(gate, False, [], "holder", release))
    await asyncio.sleep(0)
    quitter = asyncio.create_task(_hold(gate, True, [], "quitter", asyncio.Event()))
    await asyncio.sleep(0)
    quitter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await quitter
    release.set()
    await holder
    assert gate.waiting == {"express": 0, "bulk": 0}
    async with asyncio.timeout(1), gate.slot(False):  # the one slot is free again
        pass


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        LintGate(0)
