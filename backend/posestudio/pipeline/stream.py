"""One stream: who owns it, what it runs on, its slot, its counters, and its sinks."""

from __future__ import annotations

import asyncio
import enum
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from posestudio.history import PoseHistory
from posestudio.pipeline.frames import Frame
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.protocol import StartRequest
from posestudio_core.auth import Principal
from posestudio_core.ids import new_id

if TYPE_CHECKING:
    from posestudio.engines import PoseEngine
    from posestudio.pipeline.sinks import SinkSet
    from posestudio.pipeline.stages import Stage
    from posestudio.pipeline.turns import Turns

Channel = Callable[[str, dict[str, Any]], Awaitable[None]]
"""send(event, payload) to one party (the owner's connection, a viewer)."""

STREAM_KEY_PREFIX = "st_"


def new_stream_key() -> str:
    """A server-wide stream id: "st_" and 12 URL-safe characters."""
    return new_id(STREAM_KEY_PREFIX)


class StreamState(enum.Enum):
    RUNNING = "running"
    DRAINING = "draining"
    CLOSED = "closed"


@dataclass(eq=False)
class Stream:
    id: str
    """Server-wide; HTTP routes and viewers address the stream by it."""
    name: str
    """The client's `stream_id`, unique on its connection."""
    owner: Principal
    connection: str | None
    engine_name: str
    options: StartRequest
    channel: Channel
    """The owner's connection: replies and errors go there."""
    bucket: TokenBucket
    history: PoseHistory
    sinks: SinkSet
    stages: list[Stage] = field(default_factory=list)
    shared_with: frozenset[str] = frozenset()
    """Subjects besides the owner that may watch and read it (`PUT /api/streams/{id}/share`)."""
    state: StreamState = StreamState.RUNNING
    disconnected: bool = False
    """Closed because its connection dropped (not stopped by its client or the server)."""
    started_at: float = field(default_factory=time.time)
    slot: Frame | None = None
    engine: PoseEngine | None = None
    """The stream's own engine instance (per-stream scheduler)."""
    track: Any = None
    """The stream's tracking state inside a batching engine (batch scheduler)."""
    received: int = 0
    processed: int = 0
    dropped: int = 0
    dropped_by: Counter[str] = field(default_factory=Counter)
    last_rate_error: float = 0.0
    credit_window: int = 1
    """Frames a client holding credits may send at each turn (`granted - received`)."""
    granted: int = 0
    """With credits: how many frames, in all, the client may have sent by now (a running
    total, so a grant is never lost or counted twice whatever the order it arrives in)."""
    credit_at_turn: bool = True
    """False: grant at each take instead (`credit_at_turn`, for comparison)."""
    turns: Turns | None = field(default=None, repr=False)
    """Who grants the stream's credits at its turn (its scheduler's); None: at each take."""
    _credit_task: asyncio.Task[None] | None = field(default=None, repr=False)
    # (monotonic done time, server seconds) of recent frames, for fps and latency.
    recent: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=300))

    def drop(self, reason: str) -> None:
        self.dropped += 1
        self.dropped_by[reason] += 1

    # -- credits: latest-frame-wins moved to the client ------------------------------
    def __post_init__(self) -> None:
        if self.options.credits:
            self.granted = self.credit_window  # the start acknowledgement's

    def take(self) -> Frame | None:
        """The slot's frame, for a worker; the slot is free again."""
        frame, self.slot = self.slot, None
        if frame is not None:
            if self.turns is not None:
                self.turns.taken(self)
            self.consume()
        return frame

    def arrived(self) -> None:
        """A frame was received (before it is checked and placed)."""
        self.received += 1
        if self.turns is not None:
            self.turns.arrived(self)

    def consume(self) -> None:
        """A received frame left the slot: the stream's next turn may come (`Turns`)."""
        if not self.options.credits or self.state is not StreamState.RUNNING:
            return
        if self.turns is not None:
            self.turns.left_slot(self)
        elif self.slot is None:
            self.grant()

    def grant(self) -> None:
        """The stream's turn: it may send `credit_window` frames beyond those received.

        On the loop. Grants coalesce: one `credit` message per loop turn at most, carrying
        the running total as it is when it is sent."""
        if self.state is not StreamState.RUNNING:
            return
        self.granted = max(self.granted, self.received + self.credit_window)
        if self._credit_task is None or self._credit_task.done():
            self._credit_task = asyncio.get_running_loop().create_task(self._send_credit())

    async def _send_credit(self) -> None:
        await asyncio.sleep(0)  # let grants of this loop turn coalesce
        if self.state is StreamState.RUNNING:
            await self.channel("credit", {"stream_id": self.name, "granted": self.granted})

    def summary(self, now: float) -> dict[str, Any]:
        # Called from HTTP threads while the loop appends: copy first (one C call, atomic
        # under the GIL), since iterating the live deque may raise.
        window = [(t, s) for t, s in list(self.recent) if t >= now - 5.0]
        fps = 0.0
        if len(window) >= 2:
            span = max(now - window[0][0], 1e-6)
            fps = len(window) / span if span < 5.0 else len(window) / 5.0
        latencies = sorted(s for _, s in window)
        p50 = latencies[len(latencies) // 2] * 1000 if latencies else None
        return {
            "id": self.id,
            "stream_id": self.name,
            "connection": self.connection[:8] if self.connection else None,
            "engine": self.engine_name,
            "state": self.state.value,
            "started_at": self.started_at,
            "fps": round(fps, 2),
            "server_ms_p50": round(p50, 2) if p50 is not None else None,
            "received": self.received,
            "processed": self.processed,
            "dropped": self.dropped,
        }
