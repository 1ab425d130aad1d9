"""Waiting on an event with a timeout, without ever swallowing a cancellation.

On Python 3.11, `asyncio.wait_for` returns the awaited result when the task is
cancelled in the same turn of the loop as that result arrives (CPython gh-86296, fixed
in 3.12): a task that loops on `wait_for(event.wait(), t)` then runs on after `cancel()`,
and whoever awaits it waits for ever. `asyncio.timeout` keeps the cancellation.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait up to `timeout` seconds for `event`: whether it is set."""
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return event.is_set()
    return True
