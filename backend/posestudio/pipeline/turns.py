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

A stream's own frames are served one at a time (its engine instance in the pump
scheduler; one batch at a time in a batching one), so a frame of a stream whose previous
frame is still in a worker would only wait in the slot: with one stream on a slow engine
(inference longer than a camera interval), a credit granted at the take made every frame
wait nearly a whole service time there (91-141 ms). So a stream is granted no earlier
than its frame in the worker is expected done less its own round trip,

    not_before = taken + busy - rtt_own - LEAD_S

(`busy` the stream's moving average from take to result, `rtt_own` the median of its own
last grant-to-frame delays), and the frame, captured at the credit, arrives as the
worker frees. A stream not yet due keeps its place in the turn order; streams behind it
that are due go first. At saturation a stream's turn comes a round of the others after
its take, long after it is due, so nothing changes there.

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
OWN_RTT_SAMPLES = 8
LEAD_S = 0.005
"""Grant this much before the stream's frame is due, so that a round trip a little
longer than measured leaves the worker idle for less (an early frame waits as long)."""


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
        self._taken: dict[Stream, float] = {}
        """Streams with a frame in a worker -> when it was taken."""
        self._busy: dict[Stream, float] = {}
        """Each stream's moving average of take-to-result seconds."""
        self._own_rtts: dict[Stream, deque[float]] = {}
        self.rtt = 0.0
        """The median of `_rtts`, kept as they change (read several times a frame)."""
        self._own_rtt: dict[Stream, float] = {}
        """Each stream's median of its `_own_rtts`, likewise."""
        self._timer: asyncio.TimerHandle | None = None
        self.grants = 0
        """Credits granted at a turn (not counting each stream's first)."""
        self.granted_under = 0
        """The target the latest of those grants was made under: committed frames stay
        within it until the next grant (the target itself moves with the estimates)."""

    # -- what the estimates say -------------------------------------------------
    @property
    def target(self) -> int:
        """Frames to keep committed: enough to cover one round trip at full speed."""
        return self.parallel + max(1, math.ceil(self.parallel * self.rtt / self.service))

    @property
    def stale_s(self) -> float:
        return max(STALE_S, 4 * self.rtt + 2 * self.service)

    def rtt_of(self, stream: Stream) -> float:
        """The stream's own median grant-to-frame delay (the server's, before it has any)."""
        return self._own_rtt.get(stream, self.rtt)

    def due(self, stream: Stream) -> float:
        """When the stream may be granted: at once unless its frame is in a worker."""
        taken = self._taken.get(stream)
        if taken is None:
            return -math.inf
        busy = self._busy.get(stream, self.service)
        return taken + busy - self.rtt_of(stream) - LEAD_S

    def committed(self, now: float) -> int:
        stale = self.stale_s
        held = sum(1 for s in self._streams if s.slot is not None)
        return held + sum(1 for t in self._outstanding.values() if now - t < stale)

    # -- events -------------------------------------------------------------------
    def join(self, stream: Stream) -> None:
        """A stream starts; its first credit (in the start acknowledgement) is out."""
        self._streams.add(stream)
        self._outstanding[stream] = self._clock()

    def adopt(self, stream: Stream) -> None:
        """Grant the stream's credits at its turns here, if it was started with credits
        granted at each turn (else it is granted at each take)."""
        if stream.options.credits and stream.credit_at_turn:
            stream.turns = self
            self.join(stream)

    def leave(self, stream: Stream) -> None:
        self._streams.discard(stream)
        self._outstanding.pop(stream, None)
        self._taken.pop(stream, None)
        self._busy.pop(stream, None)
        self._own_rtts.pop(stream, None)
        self._own_rtt.pop(stream, None)
        if stream in self._waiting:
            self._waiting.remove(stream)
        self.plan()

    def arrived(self, stream: Stream) -> None:
        """A frame of the stream arrived (before it is placed in the slot)."""
        sent = self._outstanding.get(stream)
        if sent is not None and stream.received >= stream.granted:
            del self._outstanding[stream]
            rtt = self._clock() - sent
            self._rtts.append(rtt)
            own = self._own_rtts.setdefault(stream, deque(maxlen=OWN_RTT_SAMPLES))
            own.append(rtt)
            self.rtt = statistics.median(self._rtts)
            self._own_rtt[stream] = statistics.median(own)

    def taken(self, stream: Stream) -> None:
        """A worker took the stream's frame (before it leaves the slot)."""
        if stream in self._streams:
            self._taken[stream] = self._clock()

    def left_slot(self, stream: Stream) -> None:
        """A frame of the stream left its slot (taken, refused, superseded)."""
        if stream not in self._streams:
            return
        if stream.slot is None and stream not in self._outstanding:
            if stream not in self._waiting:
                self._waiting.append(stream)
            self.plan()

    def served(self, stream: Stream, seconds: float) -> None:
        """A worker spent `seconds` on the stream's frame (on its batch, for a batching
        engine); the result is out, so the stream's next frame is no longer held back."""
        if seconds > 0:
            self.service += 0.2 * (seconds - self.service)
        taken = self._taken.pop(stream, None)
        if taken is not None and stream in self._streams:
            busy = self._clock() - taken
            previous = self._busy.get(stream)
            self._busy[stream] = busy if previous is None else previous + 0.2 * (busy - previous)
            if stream in self._waiting:
                self.plan()

    # -- granting -------------------------------------------------------------------
    def plan(self) -> None:
        """Grant credits in turn order, to streams that are due, while fewer than
        `target` frames are committed."""
        now = self._clock()
        committed, target = self.committed(now), self.target
        later: list[Stream] = []
        while self._waiting and committed < target:
            stream = self._waiting.popleft()
            if stream.slot is not None or stream in self._outstanding:
                continue
            if self.due(stream) > now:
                later.append(stream)  # keeps its place ahead of those behind it
                continue
            self._outstanding[stream] = now
            committed += 1
            self.grants += 1
            self.granted_under = target
            stream.grant()
        self._waiting.extendleft(reversed(later))
        self._recheck(now)

    def next_check(self, now: float) -> float | None:
        """When granting may next be possible without any event: the oldest fresh grant
        goes stale, or a waiting stream falls due; None when only an event can."""
        if not self._waiting:
            return None
        stale = self.stale_s
        fresh = [t + stale for t in self._outstanding.values() if now - t < stale]
        due = [d for s in self._waiting if (d := self.due(s)) > now]
        times = fresh + due
        return min(times) if times else None

    def _recheck(self, now: float) -> None:
        """Streams wait while grants go unused or their frame is in a worker: look again
        when the oldest grant goes stale or the first of them falls due."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        at = self.next_check(now)
        if at is None:
            return  # nothing waits, or only a worker taking a frame frees a place
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(at - now + 0.001, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.plan()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
