"""Latest-frame-wins on the client: send only against the server's credits.

A stream started with `credits` gets a running total `granted` (in the start ack, in each
pose and in `credit` events): the client may have sent that many frames of the stream in
all. The server grants the next one at the stream's turn (about one round trip before a
worker can take the frame; at once while the workers have room), so a client that keeps
to its credits never uploads a frame only for it to be superseded there. Between credits
the client keeps only its newest frame (`LatestFrameSender`) and sends that one as soon as
a credit comes. A camera offers a *source* of its newest frame rather than the frame, so
that the frame is captured when the credit comes (capture time = send time, as the
studio's `Capture.credit` grabs the video's current frame), not held while it ages.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from posestudio_core.waits import wait_event

STALL_S = 5.0
"""No grant for this long while out of credits: assume one was lost and send again
(the server answers a frame it cannot place with a grant anyway). A stream's turn may
take a second or two at saturation (10 streams on a busy 2-core host: 1.6 s)."""


class Credits:
    """One stream's credits: frames sent against the server's running total."""

    def __init__(self, granted: int, stall_s: float = STALL_S) -> None:
        self.granted = granted
        self.sent = 0
        self.stall_s = stall_s
        self.stalls = 0
        """times no grant came for `stall_s` and one was assumed"""
        self._changed = asyncio.Event()
        self._last_grant = time.monotonic()

    def reset(self, granted: int) -> None:
        """The stream started again (a reconnect): a new total, nothing sent against it."""
        self.sent = 0
        self.granted = -1
        self.grant(granted)

    @property
    def available(self) -> bool:
        return self.sent < self.granted

    def grant(self, total: int) -> None:
        """A running total from the server (older, smaller totals change nothing)."""
        if total > self.granted:
            self.granted = total
            self._last_grant = time.monotonic()
            self._changed.set()

    def spend(self) -> None:
        self.sent += 1

    async def wait(self) -> None:
        """Until a credit is available; after `stall_s` without a grant, assume one."""
        while not self.available:
            self._changed.clear()
            remaining = self._last_grant + self.stall_s - time.monotonic()
            if remaining <= 0:
                self.stalls += 1
                self.grant(self.sent + 1)
                return
            await wait_event(self._changed, remaining)


@dataclass
class HeldFrame:
    jpeg: bytes
    seq: int
    capture_ts: float


FrameSource = Callable[[], HeldFrame]
"""Produces the newest frame when called (a camera captures and encodes it then)."""

Offered = HeldFrame | FrameSource
"""A frame already captured, or a source that captures one when a credit is there."""

Send = Callable[[HeldFrame], Awaitable[bool]]
"""Sends one frame; False when it could not go out (a dropped connection)."""


class LatestFrameSender:
    """Holds the newest frame offered; a task sends it whenever the stream has a credit.

    `offer` never waits: a frame offered while the previous one still waits for a credit
    replaces it (counted in `superseded`), just as the server's slot would have, but
    before any byte of it was uploaded. A `FrameSource` offered is called only when its
    frame goes, so the frame is as new as the credit; one replaced is never called."""

    def __init__(self, credits: Credits, send: Send) -> None:
        self.credits = credits
        self.superseded = 0
        self.sent = 0
        self.failed = 0
        self._send = send
        self._held: Offered | None = None
        self._offered = asyncio.Event()
        self._empty = asyncio.Event()
        self._empty.set()
        self._task: asyncio.Task[None] | None = None

    def offer(self, frame: Offered) -> None:
        if self._held is not None:
            self.superseded += 1
        self._held = frame
        self._empty.clear()
        self._offered.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    @property
    def holding(self) -> bool:
        return self._held is not None

    async def _run(self) -> None:
        while True:
            while self._held is None:
                self._offered.clear()
                await self._offered.wait()
            await self.credits.wait()
            offered, self._held = self._held, None
            if offered is None:
                continue
            frame = offered() if callable(offered) else offered
            if await self._send(frame):
                self.credits.spend()
                self.sent += 1
            else:
                self.failed += 1
            if self._held is None:
                self._empty.set()

    async def flush(self, timeout: float) -> None:
        """Wait (at most `timeout`) until the frame held is sent."""
        async with asyncio.timeout(timeout):
            await self._empty.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
