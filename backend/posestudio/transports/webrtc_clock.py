"""A WebRTC sender's capture clock: its RTCP sender reports pair an RTP timestamp with its
wall clock (NTP), so a frame's RTP timestamp gives the time the sender captured it, in the
client's own clock as on the Socket.IO path."""

from __future__ import annotations

from aiortc import RTCRtpReceiver

VIDEO_CLOCK_HZ = 90_000
NTP_EPOCH_OFFSET_S = 2_208_988_800  # 1900-01-01 to 1970-01-01


class SenderClock:
    """RTP timestamp -> the sender's wall clock (epoch ms), from its last RTCP sender report."""

    def __init__(self) -> None:
        self._report: tuple[int, float] | None = None  # (RTP timestamp, epoch ms)

    def sender_report(self, rtp_timestamp: int, ntp_timestamp: int) -> None:
        seconds = (ntp_timestamp >> 32) - NTP_EPOCH_OFFSET_S
        fraction = (ntp_timestamp & 0xFFFFFFFF) / 2**32
        self._report = (rtp_timestamp, (seconds + fraction) * 1000)

    def capture_ms(self, rtp_timestamp: int) -> float | None:
        if self._report is None:
            return None
        report_rtp, report_ms = self._report
        # The signed distance on the 32-bit RTP clock (it wraps every 13 h at 90 kHz).
        delta = (rtp_timestamp - report_rtp + 2**31) % 2**32 - 2**31
        return report_ms + delta * 1000 / VIDEO_CLOCK_HZ


def rtp_origin(receiver: RTCRtpReceiver) -> int | None:
    # aiortc rebases a decoded frame's pts on the first RTP timestamp it saw; its mapper
    # is private, and the sender report speaks the RTP clock itself.
    mapper = getattr(receiver, "_RTCRtpReceiver__timestamp_mapper", None)
    origin = getattr(mapper, "_origin", None)
    return origin if isinstance(origin, int) else None
