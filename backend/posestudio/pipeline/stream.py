"""One stream: who owns it, what it runs on, its slot, its counters, and its sinks."""

from __future__ import annotations

import enum
import secrets
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

if TYPE_CHECKING:
    from posestudio.engines import PoseEngine
    from posestudio.pipeline.sinks import SinkSet
    from posestudio.pipeline.stages import Stage

Channel = Callable[[str, dict[str, Any]], Awaitable[None]]
"""send(event, payload) to one party (the owner's connection, a viewer)."""

STREAM_KEY_PREFIX = "st_"


def new_stream_key() -> str:
    """A server-wide stream id: "st_" and 12 URL-safe characters."""
    return STREAM_KEY_PREFIX + secrets.token_urlsafe(9)


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
    # (monotonic done time, server seconds) of recent frames, for fps and latency.
    recent: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=300))

    def drop(self, reason: str) -> None:
        self.dropped += 1
        self.dropped_by[reason] += 1

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
