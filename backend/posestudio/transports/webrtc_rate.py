"""The frame rate a WebRTC sender should keep to, from what its stream is served at.

A video track has no per-frame flow control: every frame the camera makes is encoded,
sent and decoded, and the ones that find the stream's slot taken are dropped after all
that work (docs/benchmarks.md, "WebRTC (#16)"). So about once a second the server looks
at the stream: frames superseded in the slot mean the sender is faster than the workers
serve it, and the hint goes down to the rate served; a second without any lets it climb
again by a quarter (at least one frame per second), until it is at the rate asked for.
The studio applies a hint as the sender's `maxFramerate` (`RTCRtpSender.setParameters`),
so the browser's encoder skips the frames the server would drop. Clients with credits
(`posestudio stream`, the bench) send frame by frame against them and need no hint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PERIOD_S = 1.0
MIN_FPS = 1.0


@dataclass
class RateHint:
    """One stream's hint; `update` once a period with its counters."""

    ceiling: float
    """The most a hint says (the server's `max_fps`, or what the client asked for)."""
    hint: float | None = None
    """The rate last sent; None: none sent, the sender keeps to its own."""
    _at: float | None = None
    _processed: int = 0
    _superseded: int = 0

    def update(self, now: float, processed: int, superseded: int) -> float | None:
        """A new hint to send (frames per second), or None when it stays as it is."""
        if self._at is None:
            self._at, self._processed, self._superseded = now, processed, superseded
            return None
        elapsed = now - self._at
        if elapsed < PERIOD_S:
            return None
        served = (processed - self._processed) / elapsed
        dropped = superseded - self._superseded
        self._at, self._processed, self._superseded = now, processed, superseded
        if dropped > 0:
            target = max(MIN_FPS, math.floor(served))
        elif self.hint is None:
            return None
        else:
            target = min(self.ceiling, max(self.hint + 1, math.floor(self.hint * 1.25)))
        if target == self.hint:
            return None
        self.hint = target
        return target
