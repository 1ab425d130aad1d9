"""Client-side flow control: at most `limit` frames unanswered, skip while at the limit.

The same rules as the studio's `FlowControl` (frontend_build/src/lib/flow.ts), used by
`posestudio stream` and the bench's clients. The server keeps only the newest frame of a
stream and answers it, so a pose for seq N settles every older frame still in flight
(those were superseded there). Frames the server drops without a pose (rate limit, a
failed frame) would otherwise count forever and, at `limit` of them, stop the sending
for good: an error about the stream settles the oldest, and a frame unanswered for
`timeout_s` expires. Nothing queues in the client: at the limit a frame is skipped.
"""

from __future__ import annotations

DEFAULT_TIMEOUT_S = 2.0


class FlowControl:
    """Frames sent and not yet answered, against the server's `max_in_flight`."""

    def __init__(self, limit: int, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.limit = limit
        self.timeout_s = timeout_s
        self.skipped = 0
        """frames not sent because `limit` frames awaited their pose"""
        self.expired = 0
        """frames forgotten after `timeout_s` without a pose"""
        self._sent: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._sent)

    @property
    def full(self) -> bool:
        return len(self._sent) >= self.limit

    def admit(self, now: float) -> bool:
        """Whether a frame may go now; one that may not is counted as skipped."""
        self.expire(now)
        if self.full:
            self.skipped += 1
            return False
        return True

    def sent(self, seq: int, now: float) -> None:
        self._sent[seq] = now

    def answered(self, seq: int) -> float | None:
        """A pose for `seq` arrived; returns when that frame was sent, if it was in flight."""
        sent_at = self._sent.get(seq)
        for old in [s for s in self._sent if s <= seq]:
            del self._sent[old]
        return sent_at

    def rejected(self) -> None:
        """The server refused a frame of this stream (errors carry no seq): free the oldest."""
        if self._sent:
            del self._sent[min(self._sent)]

    def expire(self, now: float) -> int:
        """Forget frames unanswered for `timeout_s` (their pose will not come); how many."""
        stale = [s for s, at in self._sent.items() if now - at >= self.timeout_s]
        for seq in stale:
            del self._sent[seq]
        self.expired += len(stale)
        return len(stale)
