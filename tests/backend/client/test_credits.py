"""The client's side of credits: running totals, and only the newest frame kept."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from posestudio.client.credits import Credits, HeldFrame, LatestFrameSender


def frame(seq: int) -> HeldFrame:
    return HeldFrame(b"jpeg", seq, float(seq))


async def test_grants_are_running_totals_so_an_old_one_changes_nothing() -> None:
    credits = Credits(1)
    credits.spend()
    assert not credits.available
    credits.grant(3)
    credits.grant(2)  # arrived late
    assert credits.granted == 3
    credits.spend()
    credits.spend()
    assert not credits.available
    credits.reset(1)  # the stream started again after a reconnect
    assert credits.available and credits.sent == 0


async def test_out_of_credits_for_the_stall_time_one_is_assumed() -> None:
    credits = Credits(0, stall_s=0.05)
    await asyncio.wait_for(credits.wait(), 5)
    assert credits.available
    assert credits.stalls == 1


async def test_the_sender_keeps_only_the_newest_frame_until_a_credit_comes() -> None:
    credits = Credits(1, stall_s=60)
    sent: list[int] = []
    went = asyncio.Event()

    async def send(held: HeldFrame) -> bool:
        sent.append(held.seq)
        went.set()
        return True

    sender = LatestFrameSender(credits, send)
    sender.offer(frame(0))
    await asyncio.wait_for(went.wait(), 5)
    went.clear()
    for seq in (1, 2, 3):  # no credit: each replaces the one before
        sender.offer(frame(seq))
    assert sender.holding
    credits.grant(2)
    await asyncio.wait_for(went.wait(), 5)
    await sender.flush(5)
    assert sent == [0, 3]
    assert sender.superseded == 2
    assert credits.sent == 2
    await sender.close()


async def test_a_source_offered_is_called_only_when_its_frame_goes() -> None:
    """A camera offers its newest frame as a source: the frame is captured when the
    credit comes (not held while it ages), and a source replaced is never called."""
    credits = Credits(0, stall_s=60)
    called: list[int] = []
    sent: list[HeldFrame] = []
    went = asyncio.Event()

    def source(seq: int) -> Callable[[], HeldFrame]:
        def capture() -> HeldFrame:
            called.append(seq)
            return HeldFrame(b"jpeg", seq, float(credits.granted))

        return capture

    async def send(held: HeldFrame) -> bool:
        sent.append(held)
        went.set()
        return True

    sender = LatestFrameSender(credits, send)
    for seq in (0, 1, 2):  # no credit yet
        sender.offer(source(seq))
    assert called == []
    credits.grant(1)
    await asyncio.wait_for(went.wait(), 5)
    await sender.flush(5)
    assert called == [2]
    # captured after the grant: the frame is as new as the credit
    assert [(f.seq, f.capture_ts) for f in sent] == [(2, 1.0)]
    assert sender.superseded == 2
    await sender.close()


async def test_a_frame_that_could_not_go_keeps_its_credit() -> None:
    credits = Credits(1, stall_s=60)
    tried = asyncio.Event()

    async def send(held: HeldFrame) -> bool:
        tried.set()
        return False  # reconnecting

    sender = LatestFrameSender(credits, send)
    sender.offer(frame(0))
    await asyncio.wait_for(tried.wait(), 5)
    await sender.flush(5)
    assert sender.failed == 1
    assert credits.available
    await sender.close()


async def test_a_camera_cancelled_as_its_grant_arrives_stops() -> None:
    """A sender loop waiting on credits is cancelled in the same turn as a grant: it
    stops, rather than send on with nobody awaiting it (the cause of a hung test)."""
    credits = Credits(0, stall_s=600)
    sent = 0

    async def camera() -> None:
        nonlocal sent
        while True:
            await credits.wait()
            credits.spend()
            sent += 1

    task = asyncio.create_task(camera())
    await asyncio.sleep(0)  # the camera waits for its first credit
    credits.grant(1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert task.cancelled() and sent == 0
