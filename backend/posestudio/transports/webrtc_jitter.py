"""A video jitter buffer that completes a frame on its RTP marker bit.

aiortc's `JitterBuffer` hands a frame to the decoder only when the next frame's first
packet arrives, which holds every frame back by one frame interval (67 ms at 15 fps;
docs/benchmarks.md, "WebRTC (#16)"). The marker bit ends a video frame (RFC 3550, and
VP8/H.264 payload formats): with every packet of the frame present from the first
missing-free one, the frame can go at once.
"""

from __future__ import annotations

from aiortc import rtcrtpreceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket


class MarkerJitterBuffer(JitterBuffer):
    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        if self._is_video and self._origin is not None:
            packets: list[RtpPacket] = []
            for count in range(self.capacity):
                packet = self._packets[(self._origin + count) % self.capacity]
                if packet is None or (packets and packet.timestamp != packets[0].timestamp):
                    break
                packets.append(packet)
                if packet.marker:
                    self.remove(count + 1)
                    data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]
                    return JitterFrame(data=data, timestamp=packet.timestamp)
        return super()._remove_frame(sequence_number)


def install() -> None:
    """Every aiortc receiver in this process from now on uses it (the backend's process
    only; the robot service runs aiortc in its own)."""
    rtcrtpreceiver.JitterBuffer = MarkerJitterBuffer  # type: ignore[misc,attr-defined]
