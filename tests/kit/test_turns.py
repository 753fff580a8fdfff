"""Turns at the hot paths' connections (kit/turns.py): first come first served, a wait bounded
by its deadline, and no turn lost to a waiter that gave up or was cancelled."""

from __future__ import annotations

import asyncio

import pytest

from portero.kit.turns import Turns

LONG = 30.0  # a deadline no test reaches


async def _waiting(turns: Turns, order: list[str], name: str, wait: float = LONG) -> None:
    await turns.take(wait_seconds=wait)
    order.append(name)


async def _until_queued(turns: Turns, count: int) -> None:
    """One turn of the event loop runs each new task to its first wait, where it queues."""
    await asyncio.sleep(0)  # a yield to the new tasks, not a wait for time to pass
    assert turns.waiting() == count


async def test_free_turns_are_taken_at_once_and_the_rest_wait_in_order() -> None:
    turns = Turns(2)
    await turns.take(wait_seconds=LONG)
    await turns.take(wait_seconds=LONG)
    assert turns.busy()
    order: list[str] = []
    tasks = [asyncio.create_task(_waiting(turns, order, name)) for name in "abc"]
    await _until_queued(turns, 3)
    assert order == []
    for _ in range(3):
        turns.give_back()
    await asyncio.gather(*tasks)
    assert order == ["a", "b", "c"]
    turns.give_back()
    turns.give_back()
    assert not turns.busy()


async def test_a_wait_past_its_deadline_fails_and_holds_nothing() -> None:
    """The short wait queues behind a long one, and still ends at its own deadline."""
    turns = Turns(1)
    await turns.take(wait_seconds=LONG)
    order: list[str] = []
    patient = asyncio.create_task(_waiting(turns, order, "patient"))
    await _until_queued(turns, 1)
    async with asyncio.timeout(LONG / 2):  # long before the patient one's deadline
        with pytest.raises(TimeoutError):
            await turns.take(wait_seconds=0.05)
    assert not patient.done()
    turns.give_back()
    await patient
    assert order == ["patient"]
    turns.give_back()
    assert not turns.busy()


async def test_a_cancelled_waiter_takes_no_turn() -> None:
    turns = Turns(1)
    await turns.take(wait_seconds=LONG)
    order: list[str] = []
    quitter = asyncio.create_task(_waiting(turns, order, "quitter"))
    stayer = asyncio.create_task(_waiting(turns, order, "stayer"))
    await _until_queued(turns, 2)
    quitter.cancel()
    turns.give_back()
    await stayer
    assert order == ["stayer"]
    assert quitter.cancelled()


async def test_a_turn_handed_to_a_waiter_cancelled_at_that_moment_comes_back() -> None:
    turns = Turns(1)
    await turns.take(wait_seconds=LONG)
    order: list[str] = []
    late = asyncio.create_task(_waiting(turns, order, "late"))
    await _until_queued(turns, 1)
    turns.give_back()  # handed over; the waiter has not run since
    late.cancel()
    with pytest.raises(asyncio.CancelledError):
        await late
    assert order == []
    assert not turns.busy()  # the turn it never used is free again
