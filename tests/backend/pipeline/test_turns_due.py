"""`Turns` on its own, with a clock the test sets: a stream whose own frame is in a worker
(one stream on a slow engine) is granted as that frame is about done, and a stream not
yet due keeps its turn. When a grant goes is decided by the numbers, not by how fast this
machine runs."""

from __future__ import annotations

from typing import Any

import pytest

from posestudio.history import PoseHistory
from posestudio.pipeline.frames import Frame, FrameMeta
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.pipeline.sinks import SinkSet
from posestudio.pipeline.stream import Stream
from posestudio.pipeline.turns import LEAD_S, Turns
from posestudio.protocol import StartRequest
from posestudio_core.auth import Principal


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def turn_stream(name: str, turns: Turns) -> Stream:
    async def channel(event: str, payload: dict[str, Any]) -> None:
        pass

    stream = Stream(
        id=f"st_{name:0>12}",
        name=name,
        owner=Principal(subject="tester"),
        connection="sid",
        engine_name="gated",
        options=StartRequest(stream_id=name, credits=True),
        channel=channel,
        bucket=TokenBucket(rate=100.0, capacity=100.0),
        history=PoseHistory(1.0, 1),
        sinks=SinkSet(),
    )
    stream.turns = turns
    turns.join(stream)
    return stream


def arrive(stream: Stream, seq: int, clock: Clock) -> None:
    """A frame of the stream arrives and is placed in its slot, as `submit` does."""
    stream.arrived()
    stream.slot = Frame(meta=FrameMeta(seq=seq, capture_ts=0.0), received=clock.now, jpeg=b"")


async def test_a_streams_next_credit_waits_until_its_frame_in_the_worker_is_nearly_done() -> None:
    """One stream on an engine slower than its round trip: granting at the take made the
    next frame wait in the slot for nearly the whole inference. The grant goes instead at
    the take + the stream's measured take-to-result time - its round trip - LEAD_S."""
    clock = Clock()
    turns = Turns(parallel=2, clock=clock)
    stream = turn_stream("slow", turns)
    assert stream.granted == 1  # the start acknowledgement's
    start = clock.now

    # Frame 0: arrives 30 ms after the start's grant, taken at once. Nothing was served
    # yet, so the estimate is the default service time: granted at once (it is due).
    clock.now = start + 0.030
    arrive(stream, 0, clock)
    assert stream.take() is not None
    assert stream.granted == 2
    # Frame 1 arrives 30 ms after that grant and waits: the engine holds frame 0 (150 ms).
    clock.now = start + 0.060
    arrive(stream, 1, clock)
    clock.now = start + 0.180
    turns.served(stream, 0.150)

    # Frame 1 taken at 180 ms: its result is expected at 330 ms, and the stream's frames
    # arrive 30 ms after their grant, so the grant is due at 330 - 30 - LEAD_S ms.
    assert stream.take() is not None
    due = clock.now + 0.150 - 0.030 - LEAD_S
    assert stream.granted == 2, "granted while its frame has most of its service to go"
    assert turns.next_check(clock.now) == pytest.approx(due)
    clock.now = due - 0.001
    turns.plan()
    assert stream.granted == 2
    clock.now = due + 0.001
    turns.plan()
    assert stream.granted == 3
    assert turns.granted_under == turns.target  # the target this grant was made under

    # Frame 2 arrives 30 ms later (at 330 ms, as the worker frees) and is taken; this
    # time the worker is done early (40 ms): the result itself releases the grant.
    clock.now += 0.030
    arrive(stream, 2, clock)
    turns.served(stream, 0.150)
    assert stream.take() is not None
    assert stream.granted == 3
    clock.now += 0.040
    turns.served(stream, 0.040)
    assert stream.granted == 4
    assert turns.grants == 3


async def test_a_stream_not_yet_due_keeps_its_turn_and_lets_due_streams_go_first() -> None:
    """Two streams wait for a credit: the first in turn has its frame in a worker for
    another 100 ms, the second is free. The second is granted now; the first when it
    falls due, before any stream that queues after it."""
    clock = Clock()
    turns = Turns(parallel=2, clock=clock)
    busy, free, late = (turn_stream(n, turns) for n in ("busy", "free", "late"))
    for seq, stream in enumerate((busy, free, late)):
        arrive(stream, seq, clock)
    # `busy` has a measured take-to-result of 120 ms and a round trip of 0 (its frame
    # arrived the moment it was granted).
    assert busy.take() is not None
    clock.now += 0.120
    turns.served(busy, 0.120)
    arrive(busy, 3, clock)
    granted = {s.name: s.granted for s in (busy, free, late)}

    assert busy.take() is not None  # due in 120 - 0 - LEAD_S ms: waits, first in turn
    assert free.take() is not None  # queues behind it; its worker is done at once
    turns.served(free, 0.001)
    assert (busy.granted, free.granted) == (granted["busy"], granted["free"] + 1)

    clock.now += 0.120 - LEAD_S + 0.001
    assert late.take() is not None  # queues behind `busy`, which is due now
    assert (busy.granted, late.granted) == (granted["busy"] + 1, granted["late"])
    turns.served(late, 0.001)
    assert late.granted == granted["late"] + 1
    turns.close()
