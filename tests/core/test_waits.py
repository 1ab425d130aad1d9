"""Waiting on an event never swallows a cancellation (asyncio.wait_for does, on 3.11)."""

from __future__ import annotations

import asyncio

import pytest

from posestudio_core.waits import wait_event


async def test_set_in_time_or_not() -> None:
    event = asyncio.Event()
    assert not await wait_event(event, 0.01)
    asyncio.get_running_loop().call_soon(event.set)
    assert await wait_event(event, 30)


async def test_a_cancel_in_the_same_turn_as_the_event_stops_the_loop() -> None:
    """The event is set and the task cancelled before it runs again: it must stop.
    (With `asyncio.wait_for(event.wait(), t)` it returns True and loops on.)"""
    event = asyncio.Event()
    waits = 0

    async def loop() -> None:
        nonlocal waits
        while True:
            event.clear()
            waits += 1
            await wait_event(event, 30)

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)  # one turn: the task clears the event and waits
    assert waits == 1
    event.set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert waits == 1
