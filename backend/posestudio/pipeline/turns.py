"""Credits granted at a stream's turn, so that a frame arrives just as a worker can take it.

A stream started with `credits` may send a frame only against a credit. Granting the
next credit as soon as a worker takes the stream's frame (the first design) keeps one
frame of *every* stream waiting in its slot: at 10 streams on 2 workers each frame waited
a whole round of the other nine (e2e p95 255-270 ms against 128 ms without credits).

`Turns` grants instead when the stream's turn is about one round trip away. Streams
whose frame has left the slot wait for a credit in turn order (first out, first granted).
The scheduler's workers take `parallel` frames per `service` seconds; a grant becomes an
arriving frame one round trip (`rtt`) later. So, by Little's law, the frames *committed*
— granted but not yet arrived, or arrived and waiting in a slot — that keep every worker
busy without any frame waiting longer than it must are

    target = parallel + max(1, ceil(parallel * rtt / service))

(one frame ready for each worker, and the grants in flight over one round trip; at least
one, so a frame is there when a worker frees). A credit goes to the next stream in turn
whenever fewer than `target` frames are committed: when a worker takes a frame, when a
frame is refused, when a stream starts or stops. With few streams the target is never
reached and a stream gets its credit the moment its frame is taken (as before); at
saturation the committed frames stay at the target, so a frame waits about one service
time, not a round of every stream.

`rtt` is the median of the last grant-to-frame delays, `service` a moving average of the
worker thread's time per frame (decode, inference, stages; not the event loop's delays,
which would make the target too small and leave workers idle), per batch for a batching
engine, whose `parallel` is its batch size. A grant unused for `stale_s` (a paused
camera) stops counting as committed, so it holds no other stream back; it stays valid.
Everything here runs on the event loop.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from posestudio.pipeline.stream import Stream

SERVICE_S = 0.02
"""The service time assumed before any frame was served."""
STALE_S = 0.5
"""The least time an unused grant counts as committed (more over a long round trip)."""
RTT_SAMPLES = 32


class Turns:
    """One scheduler's credit streams and the credits they are granted, in turn order."""

    def __init__(self, parallel: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.parallel = max(1, parallel)
        self.service = SERVICE_S
        self._clock = clock
        self._rtts: deque[float] = deque(maxlen=RTT_SAMPLES)
        self._streams: set[Stream] = set()
        self._waiting: deque[Stream] = deque()
        self._outstanding: dict[Stream, float] = {}
        """Streams holding an unused grant -> when it went out."""
        self._timer: asyncio.TimerHandle | None = None
        self.grants = 0
        """Credits granted at a turn (not counting each stream's first)."""

    # -- what the estimates say -------------------------------------------------
    @property
    def rtt(self) -> float:
        return statistics.median(self._rtts) if self._rtts else 0.0

    @property
    def target(self) -> int:
        """Frames to keep committed: enough to cover one round trip at full speed."""
        return self.parallel + max(1, math.ceil(self.parallel * self.rtt / self.service))

    @property
    def stale_s(self) -> float:
        return max(STALE_S, 4 * self.rtt + 2 * self.service)

    def committed(self, now: float) -> int:
        stale = self.stale_s
        held = sum(1 for s in self._streams if s.slot is not None)
        return held + sum(1 for t in self._outstanding.values() if now - t < stale)

    # -- events -------------------------------------------------------------------
    def join(self, stream: Stream) -> None:
        """A stream starts; its first credit (in the start acknowledgement) is out."""
        self._streams.add(stream)
        self._outstanding[stream] = self._clock()

    def leave(self, stream: Stream) -> None:
        self._streams.discard(stream)
        self._outstanding.pop(stream, None)
        if stream in self._waiting:
            self._waiting.remove(stream)
        self.plan()

    def arrived(self, stream: Stream) -> None:
        """A frame of the stream arrived (before it is placed in the slot)."""
        sent = self._outstanding.get(stream)
        if sent is not None and stream.received >= stream.granted:
            del self._outstanding[stream]
            self._rtts.append(self._clock() - sent)

    def left_slot(self, stream: Stream) -> None:
        """A frame of the stream left its slot (taken, refused, superseded)."""
        if stream not in self._streams:
            return
        if stream.slot is None and stream not in self._outstanding:
            if stream not in self._waiting:
                self._waiting.append(stream)
            self.plan()

    def served(self, seconds: float) -> None:
        """A worker spent `seconds` on a frame (on a batch, for a batching engine)."""
        if seconds > 0:
            self.service += 0.2 * (seconds - self.service)

    # -- granting -------------------------------------------------------------------
    def plan(self) -> None:
        """Grant credits in turn order while fewer than `target` frames are committed."""
        now = self._clock()
        committed, target = self.committed(now), self.target
        while self._waiting and committed < target:
            stream = self._waiting.popleft()
            if stream.slot is not None or stream in self._outstanding:
                continue
            self._outstanding[stream] = now
            committed += 1
            self.grants += 1
            stream.grant()
        self._recheck(now)

    def _recheck(self, now: float) -> None:
        """Streams wait while grants go unused: look again when the oldest goes stale."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        stale = self.stale_s
        fresh = [t for t in self._outstanding.values() if now - t < stale]
        if not self._waiting or not fresh:
            return  # nothing waits, or only a worker taking a frame frees a place
        due = min(fresh) + stale - now
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(due + 0.001, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.plan()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
